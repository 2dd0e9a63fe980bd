package io.liteboxd.proxy.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway as a deployed web application (a WAR configured by {@code web.xml}, or the zero-code initializer),
 * reached under a non-root context path {@value #CONTEXT}: HTTP, WebSocket and a browser link through it.
 *
 * <p>The application finds its sandboxes in the system property {@value #SANDBOXES_PROPERTY}
 * ({@code id=host:token}), which this class sets before {@link #deploy} is called.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class DeployedAppContractTest {

    public static final String CONTEXT = "/app";
    public static final String SANDBOXES_PROPERTY = "example.sandboxes";
    protected static final String SANDBOX = "sb1";
    protected static final String TOKEN = "tok-webapp";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    protected Upstream upstream;
    /** {@code http://127.0.0.1:PORT} without the context path. */
    protected URI server;
    private WebSocketClient wsClient;

    /**
     * Deploys the application at {@link #CONTEXT} on 127.0.0.1 with the container's WebSocket support.
     *
     * @return the server's base URI without the context path
     */
    protected abstract URI deploy() throws Exception;

    protected abstract void undeploy() throws Exception;

    @BeforeAll
    final void start() throws Exception {
        upstream = Upstream.start();
        System.setProperty(SANDBOXES_PROPERTY, SANDBOX + "=127.0.0.1:" + TOKEN);
        server = deploy();
        wsClient = new WebSocketClient();
        wsClient.start();
    }

    @AfterAll
    final void stop() throws Exception {
        try {
            if (wsClient != null) {
                wsClient.stop();
            }
            undeploy();
        } finally {
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
