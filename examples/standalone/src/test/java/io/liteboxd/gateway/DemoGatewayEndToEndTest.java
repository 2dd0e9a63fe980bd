package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway in demo mode, driven the way the banner tells a person to drive it. */
class DemoGatewayEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN_HEADER = "X-Access-Token";

    private static GatewayServer gateway;
    private static DemoSandbox demo;
    private static WebSocketClient webSockets;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0));
        demo = gateway.demo().orElseThrow();
        webSockets = new WebSocketClient();
        webSockets.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (webSockets != null) {
            webSockets.stop();
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    private static URI http(String pathAndQuery) {
        return URI.create(gateway.baseUri() + "/api/v1/sandbox/demo/port/" + demo.port() + pathAndQuery);
    }

    private static URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/sandbox/demo/port/" + demo.port() + path);
    }

    @Test
    void listensOnAnEphemeralPortWithTheDemoSandbox() {
        assertThat(gateway.port()).isPositive();
        assertThat(gateway.baseUri()).isEqualTo(URI.create("http://127.0.0.1:" + gateway.port()));
        assertThat(gateway.sandboxIds()).containsExactly("demo");
    }

    @Test
    void echoThroughTheGatewayWithTheToken() {
        HttpResponse<String> response = TestHttp.get(http("/echo?hello=world"),
                TOKEN_HEADER, demo.token(), "X-Demo", "passed along");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = TestHttp.json(response);
        assertThat(echo.path("method").asText()).isEqualTo("GET");
        assertThat(echo.path("path").asText()).isEqualTo("/echo");
        assertThat(echo.path("query").asText()).isEqualTo("hello=world");
        assertThat(echo.path("headers").path("X-Demo").get(0).asText()).isEqualTo("passed along");
    }

    @Test
    void theAccessTokenNeverReachesTheSandbox() {
        JsonNode echo = TestHttp.json(TestHttp.get(http("/echo"), TOKEN_HEADER, demo.token()));

        assertThat(echo.path("headers").fieldNames()).toIterable()
                .extracting(name -> name.toLowerCase(Locale.ROOT))
                .isNotEmpty()
                .doesNotContain("x-access-token");
        assertThat(echo.toString()).doesNotContain(demo.token());
    }

    @Test
    void postBodiesArePassedThrough() {
        HttpResponse<String> response = TestHttp.post(http("/echo"), "line one\nline two",
                TOKEN_HEADER, demo.token(), "Content-Type", "text/plain");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = TestHttp.json(response);
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("body").asText()).isEqualTo("line one\nline two");
    }

    @Test
    void encodedSlashesReachTheSandboxUnchanged() {
        HttpResponse<String> response = TestHttp.get(http("/echo/a%2Fb/c%20d?q=%2F"), TOKEN_HEADER, demo.token());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = TestHttp.json(response);
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb/c%20d");
        assertThat(echo.path("query").asText()).isEqualTo("q=%2F");
    }

    @Test
    void encodedTraversalIsRefusedByTheLibraryNotByJetty() {
        // The JSON error code shows the request got past Jetty's URI checks to the library's route parser.
        HttpResponse<String> response = TestHttp.get(http("/..%2F..%2F..%2Fport%2F22"), TOKEN_HEADER, demo.token());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("route_invalid");
    }

    @Test
    void withoutTheTokenTheAnswerIs401() {
        HttpResponse<String> response = TestHttp.get(http("/echo"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("token_missing");
    }

    @Test
    void withAWrongTokenTheAnswerIs401() {
        HttpResponse<String> response = TestHttp.get(http("/echo"), TOKEN_HEADER, "not-" + demo.token());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("token_invalid");
    }

    @Test
    void theDemoTokenOpensNoOtherLoopbackPort() {
        URI gatewayItself = URI.create(gateway.baseUri() + "/api/v1/sandbox/demo/port/" + gateway.port() + "/");

        HttpResponse<String> response = TestHttp.get(gatewayItself, TOKEN_HEADER, demo.token());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(TestHttp.json(response).path("code").asText()).isEqualTo("port_forbidden");
    }

    @Test
    void thePageIsServedUnderTheSandboxMount() {
        HttpResponse<String> withSlash = TestHttp.get(http("/"), TOKEN_HEADER, demo.token());
        HttpResponse<String> withoutSlash = TestHttp.get(http(""), TOKEN_HEADER, demo.token());

        assertThat(withSlash.statusCode()).isEqualTo(200);
        assertThat(withSlash.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(withSlash.body()).contains("<title>liteboxd demo sandbox</title>", "new WebSocket(url.href)");
        assertThat(withoutSlash.statusCode()).isEqualTo(200);
        assertThat(withoutSlash.body()).isEqualTo(withSlash.body());
    }

    @Test
    void webSocketEchoThroughTheGateway() throws Exception {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(ws("/ws"));
        upgrade.setHeader(TOKEN_HEADER, demo.token());
        WsClientSocket socket = new WsClientSocket();

        Session session = webSockets.connect(socket, upgrade).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(socket.nextText(WAIT)).as("greeting sent by the sandbox right after its handshake")
                .isEqualTo(EchoSocket.GREETING);
        session.sendText("hello through the gateway", Callback.NOOP);
        assertThat(socket.nextText(WAIT)).isEqualTo("hello through the gateway");
        session.sendBinary(ByteBuffer.wrap("binary through the gateway".getBytes(StandardCharsets.UTF_8)),
                Callback.NOOP);
        assertThat(new String(socket.nextBinary(WAIT), StandardCharsets.UTF_8)).isEqualTo("binary through the gateway");

        session.close(StatusCode.NORMAL, "done", Callback.NOOP);
        assertThat(socket.closeCode(WAIT)).isEqualTo(StatusCode.NORMAL);
    }

    @Test
    void webSocketWithoutTheTokenIsRefusedWith401() {
        WsClientSocket socket = new WsClientSocket();

        assertThatThrownBy(() -> webSockets.connect(socket, ws("/ws")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UpgradeException.class)
                .satisfies(e -> assertThat(((UpgradeException) e).getResponseStatusCode()).isEqualTo(401));
    }
}
