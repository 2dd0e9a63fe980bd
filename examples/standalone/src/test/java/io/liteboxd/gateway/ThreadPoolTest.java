package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The standalone runs the server and the upstream client on one fixed pool: its thread count is the same before
 * traffic and after a burst of concurrent requests, and the library's own client pool is never created.
 */
class ThreadPoolTest {

    @Test
    void oneFixedPoolCarriesServerAndUpstreamClient() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0))) {
            DemoSandbox demo = gateway.demo().orElseThrow();
            assertThat(threadsNamed("gateway")).isEqualTo(GatewayServer.THREADS);

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create(gateway.baseUri() + "/api/v1/sandbox/demo/port/" + demo.port() + "/echo");
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(uri).header("X-Access-Token", demo.token())
                        .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> r : burst) {
                assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }

            assertThat(threadsNamed("gateway")).as("the server pool after 300 concurrent requests")
                    .isEqualTo(GatewayServer.THREADS);
            assertThat(threadsNamed("liteboxd-http-relay")).as("threads of a separate upstream client pool").isZero();
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix + "-")).count();
    }
}
