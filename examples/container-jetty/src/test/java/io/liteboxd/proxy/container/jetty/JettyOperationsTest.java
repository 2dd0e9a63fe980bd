package io.liteboxd.proxy.container.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operations features on a real gateway: request ids, metrics, connection limits and graceful drain. Each test
 * starts its own gateway because each needs its own configuration.
 */
class JettyOperationsTest {

    private static final String SANDBOX = "ops";
    private static final String TOKEN = "tok-ops";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Upstream upstream;
    private Server server;
    private ProxyServlet servlet;
    private URI gateway;
    private WebSocketClient client;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = Upstream.start();
        client = new WebSocketClient();
        client.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        client.stop();
        if (server != null) {
            server.stop();
        }
        upstream.close();
    }

    private void startGateway(ProxyConfig config) throws Exception {
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(
                new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN)));
        servlet = new ProxyServlet(config, sandboxes.authenticator(), sandboxes.resolver(), new DirectPodConnector());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> ProxyRegistration.register(servletContext, servlet));
        server.setHandler(context);
        server.start();
        gateway = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    private String route(String pathAndQuery) {
        return ProxyConfig.DEFAULT_ROUTE_PREFIX + "/" + SANDBOX + "/port/" + upstream.port() + pathAndQuery;
    }

    private WsClientSocket connect(String pathAndQuery) throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest(URI.create("ws://127.0.0.1:" + gateway.getPort()
                + route(pathAndQuery)));
        request.setHeader("X-Access-Token", TOKEN);
        WsClientSocket socket = new WsClientSocket();
        client.connect(socket, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return socket;
    }

    private JsonNode echoHeaders(List<String> headerLines) throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(gateway, "GET", route("/echo"), headerLines, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body()).path("headers");
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void requestIdsAreKeptWhenSaneAndGeneratedOtherwise() throws Exception {
        startGateway(ProxyConfig.defaults());
        JsonNode kept = echoHeaders(List.of("X-Access-Token: " + TOKEN, "X-Request-ID: trace-42.a:b_c"));
        assertThat(kept.path("x-request-id").get(0).asText()).isEqualTo("trace-42.a:b_c");

        JsonNode generated = echoHeaders(List.of("X-Access-Token: " + TOKEN));
        String id = generated.path("x-request-id").get(0).asText();
        assertThat(id).matches("[0-9a-f]{32}");

        JsonNode replaced = echoHeaders(List.of("X-Access-Token: " + TOKEN, "X-Request-ID: <script>"));
        assertThat(replaced.path("x-request-id").get(0).asText()).matches("[0-9a-f]{32}");

        String probe = UUID.randomUUID().toString();
        WsClientSocket ws = connect("/ws/headers?probe=" + probe);
        Map<String, List<String>> handshake = upstream.awaitHandshake(probe, WAIT);
        assertThat(handshake.get("x-request-id")).singleElement().asString().matches("[0-9a-f]{32}");
        ws.session().close();

        RawHttp.RawResponse refused = RawHttp.exchange(gateway, "GET", route("/echo"), List.of("X-Request-ID: r-1"),
                null);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("X-Request-ID")).isEqualTo("r-1");
    }

    @Test
    void metricsCountExchangesHandshakesAndSessionsOnTheTunnel() throws Exception {
        metricsCountExchangesHandshakesAndSessions(ProxyConfig.defaults(), "jetty-tunnel");
    }

    @Test
    void metricsCountExchangesHandshakesAndSessionsOnThePortableBridge() throws Exception {
        metricsCountExchangesHandshakesAndSessions(
                ProxyConfig.builder().webSocketRelay(ProxyConfig.WebSocketRelay.JAKARTA).build(), "jakarta-bridge");
    }

    private void metricsCountExchangesHandshakesAndSessions(ProxyConfig config, String relay) throws Exception {
        startGateway(config);
        assertThat(servlet.webSocketRelay()).startsWith(relay);
        echoHeaders(List.of("X-Access-Token: " + TOKEN));
        RawHttp.exchange(gateway, "GET", route("/echo"), List.of(), null);

        String probe = UUID.randomUUID().toString();
        WsClientSocket ws = connect("/ws/echo?probe=" + probe);
        CompletableSend.text(ws, "hello");
        assertThat(ws.nextText()).isEqualTo("hello");
        assertThat(servlet.metrics().getActiveWebSockets()).isEqualTo(1);
        ws.session().close(4001, "bye", Callback.NOOP);
        assertThat(upstream.awaitClose(probe, WAIT).code()).isEqualTo(4001);

        eventually(() -> servlet.metrics().getActiveWebSockets() == 0, "session reported closed");
        assertThat(servlet.metrics().getHttpRequestsByStatus()).containsEntry("200", 1L).containsEntry("401", 1L);
        assertThat(servlet.metrics().getHandshakesByStatus()).containsEntry("101", 1L);
        assertThat(servlet.metrics().getCloseCodesBySide()).containsEntry("client:4001", 1L);
        assertThat(servlet.metrics().getMessagesToUpstream()).isEqualTo(1);
        assertThat(servlet.metrics().getMessagesToClient()).isEqualTo(1);
        assertThat(servlet.metrics().getBytesToClient()).isEqualTo(5);
        assertThat(servlet.metrics().getUpstreamConnects()).isEqualTo(1);
    }

    @Test
    void perSandboxConnectionLimitAnswers503BeforeUpgradingAndFreesThePermitOnClose() throws Exception {
        startGateway(ProxyConfig.builder().maxConnectionsPerSandbox(1).build());
        WsClientSocket first = connect("/ws/echo");
        int acceptedBefore = upstream.acceptedConnections();

        RawHttp.RawResponse refused = RawHttp.webSocketHandshake(gateway, route("/ws/echo"),
                List.of("X-Access-Token: " + TOKEN));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.bodyText()).contains("\"code\":\"unavailable\"");
        assertThat(upstream.acceptedConnections()).as("no upstream dial over the limit").isEqualTo(acceptedBefore);

        first.session().close();
        eventually(() -> servlet.openWebSockets() == 0, "first relay finished");
        WsClientSocket again = connect("/ws/echo");
        CompletableSend.text(again, "again");
        assertThat(again.nextText()).isEqualTo("again");
    }

    @Test
    void upgradeInAContextWithoutWebSocketIsAJsonErrorEveryTimeAndNeverDialsUpstream() throws Exception {
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(
                new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN)));
        servlet = new ProxyServlet(ProxyConfig.builder().webSocketRelay(ProxyConfig.WebSocketRelay.JAKARTA).build(),
                sandboxes.authenticator(), sandboxes.resolver(), new DirectPodConnector());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        // No Jakarta WebSocket initializer: the context has no ServerContainer for the bridge to upgrade with.
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer((classes, servletContext) ->
                ProxyRegistration.register(servletContext, servlet));
        server.setHandler(context);
        server.start();
        gateway = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        int acceptedBefore = upstream.acceptedConnections();

        // Twice: a context that once lacked WebSocket support is asked again, never remembered as supported.
        for (int i = 0; i < 2; i++) {
            RawHttp.RawResponse refused = RawHttp.webSocketHandshake(gateway, route("/ws/echo"),
                    List.of("X-Access-Token: " + TOKEN));
            assertThat(refused.status()).isEqualTo(503);
            JsonNode error = new ObjectMapper().readTree(refused.bodyText());
            assertThat(error.path("error").asText()).contains("WebSocket is not enabled");
            assertThat(error.path("code").asText()).isEqualTo("internal_error");
            assertThat(refused.headers()).doesNotContainKey("upgrade");
        }
        assertThat(upstream.acceptedConnections()).as("no upstream dial").isEqualTo(acceptedBefore);
        // Plain HTTP through the same servlet is unaffected.
        assertThat(RawHttp.exchange(gateway, "GET", route("/echo"), List.of("X-Access-Token: " + TOKEN), null)
                .status()).isEqualTo(200);
    }

    @Test
    void drainSendsGoingAwayToOpenSessionsAndRefusesNewUpgrades() throws Exception {
        startGateway(ProxyConfig.defaults());
        WsClientSocket ws = connect("/ws/echo");

        assertThat(servlet.drain(WAIT)).isTrue();
        assertThat(ws.closed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).code()).isEqualTo(1001);
        assertThat(servlet.openWebSockets()).isZero();

        RawHttp.RawResponse refused = RawHttp.webSocketHandshake(gateway, route("/ws/echo"),
                List.of("X-Access-Token: " + TOKEN));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.bodyText()).contains("shutting down");
        // Plain HTTP keeps working during the drain; the container stops it.
        assertThat(RawHttp.exchange(gateway, "GET", route("/echo"), List.of("X-Access-Token: " + TOKEN), null)
                .status()).isEqualTo(200);
    }

    /** Sends and waits (bounded) for the send to be written. */
    private static final class CompletableSend {
        static void text(WsClientSocket ws, String text) throws Exception {
            Callback.Completable done = new Callback.Completable();
            ws.session().sendText(text, done);
            done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
