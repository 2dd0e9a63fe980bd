package io.liteboxd.proxy.container.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code JettyHttpHandler} in front of the servlet context, HTTP/1.x requests with or without a body are
 * relayed from Jetty's core request without the servlet layer (the contract suites prove the client cannot tell).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JettyCoreHandlerTest {

    @Test
    void requestsWithAndWithoutABodyBypassTheServletLayer() throws Exception {
        try (Upstream upstream = Upstream.start()) {
            StaticSandboxes sandboxes = new StaticSandboxes(List.of(
                    new StaticSandboxes.Entry(Sandbox.ready("sb1", "127.0.0.1"), "tok-core")));
            try (JettyGateways.Running gateway = JettyGateways.start(new GatewaySetup(ProxyConfig.builder().build(),
                    sandboxes.authenticator(), sandboxes.resolver(), new DirectPodConnector()), true)) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI base = URI.create(gateway.uri() + ProxyConfig.DEFAULT_ROUTE_PREFIX + "/sb1/port/"
                        + upstream.port());
                long before = gateway.servletLayer().sum();

                HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/echo/hello"))
                        .header("X-Access-Token", "tok-core").timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(gateway.servletLayer().sum()).isEqualTo(before);

                HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/echo/items"))
                        .header("X-Access-Token", "tok-core").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(post.statusCode()).isEqualTo(200);
                assertThat(gateway.servletLayer().sum()).isEqualTo(before);

                // Off the proxy's route: the servlet layer's, and counted there.
                http.send(HttpRequest.newBuilder(URI.create(gateway.uri() + "/elsewhere"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(gateway.servletLayer().sum()).isEqualTo(before + 1);
            }
        }
    }
}
