package io.liteboxd.proxy.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The gateway as a deployed web application (a WAR configured by {@code web.xml}, or the zero-code initializer),
 * reached under a non-root context path {@value #CONTEXT}: HTTP, WebSocket and a browser link through it.
 *
 * <p>Parameterized by {@link DeployedApp}: a module runs it with one {@code @ParameterizedClass} over its ways of
 * deploying the application. The application finds its sandboxes in the system property {@value #SANDBOXES_PROPERTY}
 * ({@code id=host:token}), which this class sets before it deploys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class DeployedAppContract {

    public static final String CONTEXT = "/app";
    public static final String SANDBOXES_PROPERTY = "example.sandboxes";
    protected static final String SANDBOX = "sb1";
    protected static final String TOKEN = "tok-webapp";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The deployment this run of the suite is held to. */
    @Parameter
    protected DeployedApp app;
    protected Upstream upstream;
    /** {@code http://127.0.0.1:PORT} without the context path. */
    protected URI server;
    private DeployedApp.Deployed deployed;
    private WebSocketClient wsClient;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    final void start() throws Exception {
        upstream = Upstream.start();
        System.setProperty(SANDBOXES_PROPERTY, SANDBOX + "=127.0.0.1:" + TOKEN);
        deployed = app.deployer().deploy();
        server = deployed.uri();
        wsClient = new WebSocketClient();
        wsClient.start();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    final void stop() throws Exception {
        try {
            if (wsClient != null) {
                wsClient.stop();
            }
        } finally {
            if (deployed != null) {
                deployed.close();
            }
            System.clearProperty(SANDBOXES_PROPERTY);
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void http_throughTheDeployedApp_withTheContextPathInThePrefix() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(server, "GET", route("/echo/war?q=%7E"),
                List.of("X-Access-Token: " + TOKEN), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = JSON.readTree(r.body());
        assertThat(echo.path("path").asText()).isEqualTo("/echo/war");
        assertThat(echo.path("query").asText()).isEqualTo("q=%7E");
        assertThat(echo.path("headers").path("x-forwarded-prefix").get(0).asText())
                .isEqualTo(CONTEXT + "/api/v1/sandbox/" + SANDBOX + "/port/" + upstream.port());
    }

    @Test
    void browserLink_setsTheCookieForTheContextPath() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(server, "GET", route("/echo/page?liteboxd_token=" + TOKEN),
                List.of(), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.headers().get("set-cookie")).singleElement().asString().startsWith("liteboxd_token=v1.")
                .doesNotContain(TOKEN).endsWith("; Path=" + CONTEXT + "/api/v1/sandbox/" + SANDBOX + "/; Max-Age="
                        + io.liteboxd.proxy.internal.auth.GatewayCookies.LIFETIME.toSeconds() + "; HttpOnly; SameSite=Lax");
    }

    @Test
    void http_aRequestBodyThroughTheDeployedApp() throws Exception {
        // Bodies take another relay path than the bodiless requests of the other cases.
        RawHttp.RawResponse r = RawHttp.exchange(server, "POST", route("/echo/upload"),
                List.of("X-Access-Token: " + TOKEN, "Content-Type: text/plain"),
                "a body through the war".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("body").asText()).isEqualTo("a body through the war");
    }

    /** What only this deployment must show, against the same deployment. */
    @TestFactory
    Stream<DynamicTest> casesOfThisDeployment() {
        return deployed.ownCases();
    }

    @Test
    void refusal_isTheGatewaysJson() throws Exception {
        GatewayContract.assertGatewayError(RawHttp.exchange(server, "GET", route("/echo/x"), List.of(), null),
                401, "token_missing");
    }

    @Test
    void webSocket_throughTheDeployedApp() throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest(URI.create("ws://" + server.getHost() + ":"
                + server.getPort() + route("/ws/greet")));
        request.setHeader("X-Access-Token", TOKEN);
        WsClientSocket socket = new WsClientSocket();
        Session session = wsClient.connect(socket, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            assertThat(socket.nextText()).isEqualTo(Upstream.GREETING);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            session.sendText("through the war", Callback.from(() -> sent.complete(null),
                    sent::completeExceptionally));
            sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(socket.nextText()).isEqualTo("through the war");
        } finally {
            session.close(1000, "done", Callback.NOOP);
        }
    }

    protected String route(String pathAndQuery) {
        return CONTEXT + "/api/v1/sandbox/" + SANDBOX + "/port/" + upstream.port() + pathAndQuery;
    }
}
