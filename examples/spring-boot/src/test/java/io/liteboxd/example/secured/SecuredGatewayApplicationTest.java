package io.liteboxd.example.secured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.example.boot.GatewayApplication;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application with Spring Security ({@link ExampleSecurity}) on a random port (embedded Tomcat), with a
 * real upstream: the application's own pages stay behind a login and CSRF, the gateway's paths are left to the
 * gateway, for HTTP with form bodies, odd paths and WebSocket alike.
 */
@SpringBootTest(classes = {GatewayApplication.class, ExampleSecurity.class, CsrfTokenController.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecuredGatewayApplicationTest {

    private static final String TOKEN = "secured-example-token";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORM = "Content-Type: application/x-www-form-urlencoded";
    private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Upstream UPSTREAM = startUpstream();

    @LocalServerPort
    int port;

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
    void theApplicationsPages_needALogin() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base(), "GET", "/hello", List.of(), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        assertThat(r.header("location")).endsWith("/login");
    }

    /** A logged-in user's form without the CSRF token is refused; with it, its parameters reach the controller. */
    @Test
    void theApplicationsForms_needTheCsrfToken() throws Exception {
        String session = logIn();

        RawHttp.RawResponse forged = RawHttp.exchange(base(), "PUT", "/hello", List.of(FORM, "Cookie: " + session),
                bytes("name=alice"));
        RawHttp.RawResponse tokenPage = RawHttp.exchange(base(), "GET", "/csrf-token", List.of("Cookie: " + session),
                null);
        String csrf = URLEncoder.encode(tokenPage.bodyText(), StandardCharsets.UTF_8);
        RawHttp.RawResponse genuine = RawHttp.exchange(base(), "PUT", "/hello", List.of(FORM, "Cookie: " + session),
                bytes("name=alice&_csrf=" + csrf));

        assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
        assertThat(tokenPage.status()).as(tokenPage.toString()).isEqualTo(200);
        assertThat(genuine.status()).as(genuine.toString()).isEqualTo(200);
        assertThat(genuine.bodyText()).isEqualTo("hello, alice");
    }

    /**
     * No login, no CSRF token: the sandbox's own form posts and form-encoded PUTs reach it with their bodies, and its
     * responses carry none of Spring Security's headers or session cookie.
     */
    @Test
    void theGatewaysPaths_areLeftToTheGateway() throws Exception {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String body = "name=" + method + "&_method=DELETE&_csrf=none";
            RawHttp.RawResponse r = RawHttp.exchange(base(), method, route("/echo/form"),
                    List.of("X-Access-Token: " + TOKEN, FORM), bytes(body));

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header(Upstream.MARKER_HEADER)).isEqualTo(Upstream.MARKER_VALUE);
            assertThat(r.headers()).as("Spring Security's headers and session must not reach the sandbox's answers")
                    .doesNotContainKeys("x-frame-options", "cache-control", "pragma", "x-content-type-options",
                            "set-cookie");
            JsonNode echo = JSON.readTree(r.body());
            assertThat(echo.path("method").asText()).isEqualTo(method);
            assertThat(echo.path("body").asText()).isEqualTo(body);
        }
    }

    /** The gateway's own authentication still decides: a JSON 401, not a redirect to the application's login. */
    @Test
    void theGatewaysPaths_stillNeedTheGatewaysToken() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base(), "GET", route("/echo/x"), List.of(), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("token_missing");
    }

    /**
     * The firewall lets the gateway relay what sandbox apps use (encoded slash and percent, a semicolon, a WebDAV
     * method), and still rejects an encoded slash on the application's paths.
     */
    @Test
    void firewall_letsTheSandboxesPathsThrough_butNotTheApplications() throws Exception {
        String path = "/echo/s/a%2Fb/c%2fd%2F;v=1/%25";
        RawHttp.RawResponse sandbox = RawHttp.exchange(base(), "GET", route(path), List.of("X-Access-Token: " + TOKEN),
                null);
        RawHttp.RawResponse webDav = RawHttp.exchange(base(), "PROPFIND", route("/echo/dav"),
                List.of("X-Access-Token: " + TOKEN), null);
        RawHttp.RawResponse app = RawHttp.exchange(base(), "GET", "/hello%2Fx", List.of("Cookie: " + logIn()), null);

        assertThat(sandbox.status()).as(sandbox.toString()).isEqualTo(200);
        assertThat(JSON.readTree(sandbox.body()).path("path").asText()).isEqualTo(path);
        assertThat(webDav.status()).as(webDav.toString()).isEqualTo(200);
        assertThat(JSON.readTree(webDav.body()).path("method").asText()).isEqualTo("PROPFIND");
        assertThat(app.status()).as(app.toString()).isEqualTo(400);
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
            session.sendText("through security", Callback.from(() -> sent.complete(null),
                    sent::completeExceptionally));
            sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(socket.nextText()).isEqualTo("through security");
            session.close(1000, "done", Callback.NOOP);
        } finally {
            client.stop();
        }
    }

    /** Logs in through the application's login form, as a browser does; returns the session's cookie. */
    private String logIn() throws Exception {
        RawHttp.RawResponse page = RawHttp.exchange(base(), "GET", "/login", List.of(), null);
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        Matcher csrf = CSRF_INPUT.matcher(page.bodyText());
        assertThat(csrf.find()).as("CSRF field in the login page: " + page.bodyText()).isTrue();

        RawHttp.RawResponse login = RawHttp.exchange(base(), "POST", "/login", List.of(FORM,
                "Cookie: " + sessionCookie(page)), bytes("username=" + ExampleSecurity.USER + "&password="
                + ExampleSecurity.PASSWORD + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)));
        assertThat(login.status()).as(login.toString()).isEqualTo(302);
        assertThat(login.header("location")).as(login.toString()).doesNotContain("error");
        return sessionCookie(login);
    }

    private static String sessionCookie(RawHttp.RawResponse r) {
        List<String> cookies = new ArrayList<>(r.headers().getOrDefault("set-cookie", List.of()));
        return cookies.stream().filter(c -> c.startsWith("JSESSIONID=")).map(c -> c.substring(0, c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie in " + r));
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private static String route(String pathAndQuery) {
        return "/api/v1/sandbox/sb1/port/" + UPSTREAM.port() + pathAndQuery;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Upstream startUpstream() {
        try {
            return Upstream.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the upstream", e);
        }
    }
}
