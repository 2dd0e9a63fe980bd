package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway with a static sandbox file, in front of a demo sandbox started on its own as the "pod". */
class SandboxesFileGatewayTest {

    @TempDir
    static Path dir;

    private static DemoSandbox upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = DemoSandbox.start();
        Path file = dir.resolve("sandboxes.json");
        Files.writeString(file, """
                {"sandboxes":[
                  {"id":"abc12345","host":"127.0.0.1","token":"s3cret"},
                  {"id":"zz","host":"127.0.0.1","token":"t","ready":false,"ports":[%1$d]},
                  {"id":"limited","host":"127.0.0.1","token":"l","ports":[8000,8001]}
                ]}
                """.formatted(upstream.port()));
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0).withSandboxesFile(file));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    private static HttpResponse<String> get(String sandbox, String token, String path) {
        URI uri = URI.create(gateway.baseUri() + "/api/v1/sandbox/" + sandbox + "/port/" + upstream.port() + path);
        return TestHttp.get(uri, "X-Access-Token", token);
    }

    @Test
    void servesTheSandboxesOfTheFileAndNoDemo() {
        assertThat(gateway.demo()).isEmpty();
        assertThat(gateway.sandboxIds()).containsExactly("abc12345", "limited", "zz");
    }

    @Test
    void bannerListsTheSandboxesButNeverTheirTokens() {
        String banner = Banner.render(gateway);

        assertThat(banner).contains("listening on " + gateway.baseUri(), "Sandboxes: abc12345, limited, zz")
                .doesNotContain("s3cret", "Access token");
    }

    @Test
    void proxiesToTheHostOfTheFile() {
        HttpResponse<String> response = get("abc12345", "s3cret", "/echo?from=file");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = TestHttp.json(response);
        assertThat(echo.path("path").asText()).isEqualTo("/echo");
        assertThat(echo.path("query").asText()).isEqualTo("from=file");
    }

    @Test
    void theTokenOfAnotherSandboxIsRefused() {
        HttpResponse<String> response = get("abc12345", "t", "/echo");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("token_invalid");
    }

    @Test
    void aSandboxThatIsNotReadyAnswers503() {
        HttpResponse<String> response = get("zz", "t", "/echo");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("sandbox_not_ready");
    }

    @Test
    void aPortOutsideTheAllowListAnswers403() {
        HttpResponse<String> response = get("limited", "l", "/echo");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("port_forbidden");
    }

    @Test
    void anUnknownSandboxLooksLikeAWrongToken() {
        HttpResponse<String> response = get("nosuchbox", "s3cret", "/echo");

        assertThat(response.statusCode()).isEqualTo(401);
    }
}
