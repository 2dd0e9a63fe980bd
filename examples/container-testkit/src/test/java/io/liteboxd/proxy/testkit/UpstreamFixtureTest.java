package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream fixture talked to directly, without a gateway. When a contract test fails, this tells whether the
 * fixture or the gateway is to blame: everything the contract relies on the upstream sending is checked here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamFixtureTest {

    private static Upstream upstream;
    private static URI base;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        upstream = Upstream.start();
        base = URI.create("http://127.0.0.1:" + upstream.port());
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        upstream.close();
    }

    @Test
    void echo_reportsRawPathQueryHeadersAndBody() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base, "POST", "/echo/a%2Fb/%c3%a9?q=%20x&r",
                List.of("X-Trace: one", "X-Trace: two"), "hi".getBytes());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header(Upstream.MARKER_HEADER)).isEqualTo(Upstream.MARKER_VALUE);
        JsonNode echo = new ObjectMapper().readTree(r.body());
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb/%c3%a9");
        assertThat(echo.path("query").asText()).isEqualTo("q=%20x&r");
        assertThat(echo.path("headers").path("x-trace").toString()).isEqualTo("[\"one\",\"two\"]");
        assertThat(echo.path("body").asText()).isEqualTo("hi");
        assertThat(echo.path("bodySha256").asText()).isEqualTo(TestData.sha256("hi".getBytes()));
    }

    @Test
    void hop_sendsConnectionListedAndKeepAliveHeaders() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base, "GET", "/hop", List.of(), null);

        assertThat(r.headers().get("connection")).anySatisfy(v -> assertThat(v).containsIgnoringCase("x-up-hop"));
        assertThat(r.header("X-Up-Hop")).isEqualTo("must-not-pass");
        assertThat(r.header("Keep-Alive")).isEqualTo("timeout=99, max=7");
    }

    @Test
    void download_chunkedWithTrailers() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base, "GET", "/download?bytes=100000&seed=4&chunked=1&trailers=1",
                List.of("TE: trailers"), null);

        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(r.body()).hasSize(100000);
        assertThat(r.trailers().get("x-sha256")).containsExactly(TestData.sha256(100000, 4));
    }

    @Test
    void head_download_hasContentLengthAndNoBody() throws Exception {
        RawHttp.RawResponse r = RawHttp.exchange(base, "HEAD", "/download?bytes=1234", List.of(), null);

        assertThat(r.header("Content-Length")).isEqualTo("1234");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void refuse_answers403() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(base, "/ws/refuse", List.of());

        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void subprotocol_prefersConfiguredOne() throws Exception {
        WsClientSocket socket = new WsClientSocket();
        ClientUpgradeRequest rq = new ClientUpgradeRequest(
                URI.create("ws://127.0.0.1:" + upstream.port() + "/ws/subprotocol"));
        rq.setSubProtocols("alpha", Upstream.PREFERRED_SUBPROTOCOL);
        Session s = ws.connect(socket, rq).get(10, TimeUnit.SECONDS);

        assertThat(s.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo(Upstream.PREFERRED_SUBPROTOCOL);
        assertThat(socket.nextText()).isEqualTo("protocol=" + Upstream.PREFERRED_SUBPROTOCOL);
        s.close();
    }

    @Test
    void close_recordsClientCloseAndClosesOnCommand() throws Exception {
        WsClientSocket socket = new WsClientSocket();
        Session s = ws.connect(socket, URI.create("ws://127.0.0.1:" + upstream.port() + "/ws/close?probe=p1"))
                .get(10, TimeUnit.SECONDS);
        s.sendText("close 4002 server-bye", Callback.NOOP);
        assertThat(socket.closed()).succeedsWithin(Duration.ofSeconds(10))
                .isEqualTo(new Upstream.CloseRecord(4002, "server-bye"));

        WsClientSocket second = new WsClientSocket();
        Session s2 = ws.connect(second, URI.create("ws://127.0.0.1:" + upstream.port() + "/ws/echo?probe=p2"))
                .get(10, TimeUnit.SECONDS);
        s2.close(4001, "client-bye", Callback.NOOP);
        assertThat(upstream.awaitClose("p2", Duration.ofSeconds(10)))
                .isEqualTo(new Upstream.CloseRecord(4001, "client-bye"));
        assertThat(upstream.awaitHandshake("p2", Duration.ofSeconds(10))).containsKey("sec-websocket-key");
    }

    @Test
    void acceptedConnections_countsSocketsNotUpgrades() throws Exception {
        try (Upstream fresh = Upstream.start()) {
            WsClientSocket socket = new WsClientSocket();
            Session s = ws.connect(socket, URI.create("ws://127.0.0.1:" + fresh.port() + "/ws/echo"))
                    .get(10, TimeUnit.SECONDS);
            s.sendText("x", Callback.NOOP);
            assertThat(socket.nextText()).isEqualTo("x");

            assertThat(fresh.acceptedConnections()).isEqualTo(1);
            s.close();
        }
    }
}
