package io.liteboxd.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole Boot application on a random port (embedded Tomcat), with a real upstream: HTTP and WebSocket through
 * the gateway servlet the {@code ServletContextInitializer} bean registered, next to the app's own controller.
 */
// Spring Security is on this module's test class path for the secured variant (io.liteboxd.example.secured); this
// is the example as an application without it runs.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "spring.autoconfigure.exclude="
        + "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration,"
        + "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration,"
        + "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration")
// Boot's tests turn metrics export off unless asked: the Prometheus endpoint is part of what this test checks.
@AutoConfigureObservability(tracing = false)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GatewayApplicationTest {

    private static final String TOKEN = "boot-example-token";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Upstream UPSTREAM = startUpstream();

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    @DynamicPropertySource
    static void sandboxes(DynamicPropertyRegistry registry) {
        registry.add("example.sandboxes[0].id", () -> "sb1");
        registry.add("example.sandboxes[0].host", () -> "127.0.0.1");
        registry.add("example.sandboxes[0].token", () -> TOKEN);
        registry.add("example.sandboxes[0].ports", () -> Integer.toString(UPSTREAM.port()));
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void http_throughTheGateway() throws Exception {
        HttpResponse<String> r = get(route("/echo/boot?x=1"), TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue(Upstream.MARKER_HEADER)).hasValue(Upstream.MARKER_VALUE);
        JsonNode echo = JSON.readTree(r.body());
        assertThat(echo.path("path").asText()).isEqualTo("/echo/boot");
        assertThat(echo.path("query").asText()).isEqualTo("x=1");
        assertThat(echo.path("headers").has("x-access-token")).isFalse();
    }

    @Test
    void browserLink_setsTheCookie() throws Exception {
        HttpResponse<String> r = get(route("/echo/page?liteboxd_token=" + TOKEN), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("query").isNull()).isTrue();
        assertThat(r.headers().firstValue("set-cookie")).hasValueSatisfying(c -> assertThat(c)
                .startsWith("liteboxd_token=v1.").doesNotContain(TOKEN)
                .endsWith("; Path=/api/v1/sandbox/sb1/; Max-Age=43200; HttpOnly; SameSite=Lax"));
    }

    @Test
    void refusals_areTheGatewaysJson() throws Exception {
        HttpResponse<String> r = get(route("/echo/x"), "wrong");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("token_invalid");
    }

    @Test
    void theApplicationsOwnEndpointsStillWork() throws Exception {
        HttpResponse<String> r = get("/hello", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello from the application");
    }

    /**
     * Spring's FormContentFilter (on by default) reads form-encoded PUT, PATCH and DELETE bodies before any servlet
     * runs, and HiddenHttpMethodFilter reads form POSTs for {@code _method}: unless they keep off the gateway's paths
     * the sandbox never gets these bodies (and the POST could arrive as a DELETE). One after another, so that a
     * request that left the upstream connection dirty fails the next one; RawHttp's read timeout (10 s, well under
     * the 30 s request timeout) turns a hang into a failure.
     */
    @Test
    void formEncodedBodies_reachTheSandboxIntact() throws Exception {
        for (String method : List.of("PUT", "PATCH", "DELETE", "POST")) {
            String body = "name=" + method + "&note=caf%C3%A9+%26+more&_method=DELETE";
            RawHttp.RawResponse r = RawHttp.exchange(base(), method, route("/echo/form"),
                    List.of("X-Access-Token: " + TOKEN, "Content-Type: application/x-www-form-urlencoded"),
                    body.getBytes(StandardCharsets.US_ASCII));

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode echo = JSON.readTree(r.body());
            assertThat(echo.path("method").asText()).isEqualTo(method);
            assertThat(echo.path("body").asText()).isEqualTo(body);
            assertThat(echo.path("bodyBytes").asLong()).isEqualTo(body.length());
        }
    }

    /** The same filters still serve the application's own forms. */
    @Test
    void theApplicationsOwnForms_stillHaveTheirParameters() throws Exception {
        RawHttp.RawResponse put = RawHttp.exchange(base(), "PUT", "/hello",
                List.of("Content-Type: application/x-www-form-urlencoded"), "name=put".getBytes(StandardCharsets.US_ASCII));
        RawHttp.RawResponse hidden = RawHttp.exchange(base(), "POST", "/hello",
                List.of("Content-Type: application/x-www-form-urlencoded"),
                "_method=PUT&name=form".getBytes(StandardCharsets.US_ASCII));

        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.bodyText()).isEqualTo("hello, put");
        assertThat(hidden.status()).as(hidden.toString()).isEqualTo(200);
        assertThat(hidden.bodyText()).isEqualTo("hello, form");
    }

    /** Tomcat answers its own HTML 400 to an encoded slash unless the connector passes it through. */
    @Test
    void encodedSlash_reachesTheSandboxByteForByte() throws Exception {
        String path = "/echo/s/a%2Fb/c%2fd%2F";
        RawHttp.RawResponse r = RawHttp.exchange(base(), "GET", route(path + "?k=%2F"),
                List.of("X-Access-Token: " + TOKEN), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header(Upstream.MARKER_HEADER)).isEqualTo(Upstream.MARKER_VALUE);
        JsonNode echo = JSON.readTree(r.body());
        assertThat(echo.path("path").asText()).isEqualTo(path);
        assertThat(echo.path("query").asText()).isEqualTo("k=%2F");
    }

    @Test
    void webSocket_throughTheGateway() throws Exception {
        WebSocketClient client = new WebSocketClient();
        client.start();
        try {
            ClientUpgradeRequest request = new ClientUpgradeRequest(
                    URI.create("ws://127.0.0.1:" + port + route("/ws/greet")));
            request.setHeader("X-Access-Token", TOKEN);
            WsClientSocket socket = new WsClientSocket();
            Session session = client.connect(socket, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(socket.nextText()).isEqualTo(Upstream.GREETING);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            session.sendText("through boot", Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(socket.nextText()).isEqualTo("through boot");
            session.close(1000, "done", Callback.NOOP);
        } finally {
            client.stop();
        }
    }

    @Test
    void actuatorPrometheus_countsTheGatewaysTraffic() throws Exception {
        String before = get("/actuator/prometheus", null).body();
        assertThat(get(route("/echo/metrics-1"), TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(route("/echo/metrics-2"), TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(route("/echo/metrics-3"), "wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> after = get("/actuator/prometheus", null);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/plain"));
        String text = after.body();
        // Other tests of this class share the application: compare with the scrape before.
        assertThat(sample(text, "liteboxd_http_requests_total", "status=\"2xx\"")
                - sample(before, "liteboxd_http_requests_total", "status=\"2xx\"")).isEqualTo(2);
        assertThat(sample(text, "liteboxd_refusals_total", "code=\"token_invalid\"")
                - sample(before, "liteboxd_refusals_total", "code=\"token_invalid\"")).isEqualTo(1);
        assertThat(text).contains("liteboxd_http_request_duration_seconds_bucket");
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; 0 when there is none. */
    private static double sample(String exposition, String name, String label) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private String route(String pathAndQuery) {
        return "/api/v1/sandbox/sb1/port/" + UPSTREAM.port() + pathAndQuery;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
        if (token != null) {
            b.header("X-Access-Token", token);
        }
        return http.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Upstream startUpstream() {
        try {
            return Upstream.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the upstream", e);
        }
    }
}
