package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo sandbox on its own, without the gateway: when these fail, the end-to-end failures are not the library's. */
class DemoSandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static DemoSandbox demo;
    private static WebSocketClient webSockets;

    @BeforeAll
    static void start() throws Exception {
        demo = DemoSandbox.start();
        webSockets = new WebSocketClient();
        webSockets.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (webSockets != null) {
            webSockets.stop();
        }
        if (demo != null) {
            demo.stop();
        }
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + demo.port() + pathAndQuery);
    }

    @Test
    void echoReportsTheRequestAsReceived() {
        HttpResponse<String> response = TestHttp.get(uri("/echo?b=2&a=%20"), "X-Demo", "one");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode echo = TestHttp.json(response);
        assertThat(echo.path("method").asText()).isEqualTo("GET");
        assertThat(echo.path("path").asText()).isEqualTo("/echo");
        assertThat(echo.path("query").asText()).isEqualTo("b=2&a=%20");
        assertThat(echo.path("headers").path("X-Demo").get(0).asText()).isEqualTo("one");
        assertThat(echo.path("body").asText()).isEmpty();
    }

    @Test
    void echoKeepsThePathEncoded() {
        JsonNode echo = TestHttp.json(TestHttp.get(uri("/echo/a%2Fb/c%20d")));

        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb/c%20d");
        assertThat(echo.path("query").isNull()).isTrue();
    }

    @Test
    void echoReturnsPostBodies() {
        JsonNode echo = TestHttp.json(TestHttp.post(uri("/echo"), "{\"hello\":\"wörld\"}",
                "Content-Type", "application/json"));

        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("body").asText()).isEqualTo("{\"hello\":\"wörld\"}");
    }

    @Test
    void oversizedBodiesAreRefused() {
        String body = "x".repeat(DemoHandler.MAX_BODY_BYTES + 1);

        assertThat(TestHttp.post(uri("/echo"), body).statusCode()).isEqualTo(413);
    }

    @Test
    void pageOpensItsWebSocketRelativeToItself() {
        HttpResponse<String> page = TestHttp.get(uri("/"));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
        assertThat(page.body()).contains("new URL(\"ws\", page)", "new WebSocket(url.href)")
                .doesNotContain("\"/ws\"", "'/ws'");
    }

    @Test
    void otherPathsAreNotFound() {
        assertThat(TestHttp.get(uri("/nope")).statusCode()).isEqualTo(404);
        assertThat(TestHttp.get(uri("/echoes")).statusCode()).isEqualTo(404);
    }

    @Test
    void webSocketGreetsThenEchoesTextAndBinary() throws Exception {
        WsClientSocket socket = new WsClientSocket();
        Session session = webSockets.connect(socket, URI.create("ws://127.0.0.1:" + demo.port() + "/ws"))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(socket.nextText(WAIT)).isEqualTo(EchoSocket.GREETING);
        session.sendText("ping one", Callback.NOOP);
        assertThat(socket.nextText(WAIT)).isEqualTo("ping one");
        session.sendBinary(ByteBuffer.wrap("bytes".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        assertThat(new String(socket.nextBinary(WAIT), StandardCharsets.UTF_8)).isEqualTo("bytes");

        session.close(StatusCode.NORMAL, "done", Callback.NOOP);
        assertThat(socket.closeCode(WAIT)).isEqualTo(StatusCode.NORMAL);
    }

    @Test
    void tokensAreLongUrlSafeAndFresh() {
        String token = DemoSandbox.newToken();

        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(DemoSandbox.newToken()).isNotEqualTo(token);
    }

    @Test
    void gatewayEntryOpensOnlyTheDemoPort() {
        var sandbox = demo.entry().sandbox();

        assertThat(sandbox.id()).isEqualTo("demo");
        assertThat(sandbox.host()).isEqualTo("127.0.0.1");
        assertThat(sandbox.allowsPort(demo.port())).isTrue();
        assertThat(sandbox.allowsPort(22)).isFalse();
        assertThat(demo.entry().token()).isEqualTo(demo.token());
    }
}
