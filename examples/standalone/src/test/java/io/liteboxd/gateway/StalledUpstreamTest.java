package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.RawUpstream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that accepts and never answers, behind the standalone gateway, whose client connections time out
 * after the same request timeout as the upstream's: the client must get the gateway's JSON 504, not a container
 * error page or a dropped connection, whichever of the two timers fires first.
 */
class StalledUpstreamTest {

    @TempDir
    Path dir;

    @Test
    void aStalledUpstreamIsAJson504() throws Exception {
        try (RawUpstream silent = RawUpstream.start((socket, upstream) -> upstream.holdWithoutReading())) {
            Path file = dir.resolve("sandboxes.json");
            Files.writeString(file, "{\"sandboxes\":[{\"id\":\"quiet\",\"host\":\"127.0.0.1\",\"token\":\"t\"}]}");
            GatewayOptions base = GatewayOptions.defaults().withListen("127.0.0.1", 0).withSandboxesFile(file);
            GatewayOptions options = new GatewayOptions(base.host(), base.port(), base.sandboxesFile(),
                    Duration.ofSeconds(1), base.pingInterval(), base.idleTimeout(), base.baseDomain(),
                    base.kubernetes());
            GatewayServer gateway = GatewayServer.start(options);
            try {
                URI uri = URI.create(gateway.baseUri() + "/api/v1/sandbox/quiet/port/" + silent.port()
                        + "/slow");
                HttpResponse<String> response = TestHttp.get(uri, "X-Access-Token", "t");

                assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/json"));
                assertThat(response.body()).contains("\"upstream_timeout\"");
            } finally {
                gateway.stop();
            }
        }
    }
}
