package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.ALL_TOKENS;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.OTHER_TOKEN;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.SLEEPY_ID;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.SLEEPY_TOKEN;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.reliability.support.LogCapture;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawHttp.Request;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.testkit.WsFrames;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Credentials stay inside the gateway. The upstream is a raw recorder, so what it gets is checked byte for byte
 * (no header parser in between that could hide a token under an odd name): no {@code X-Access-Token}, no
 * {@code liteboxd_token} query parameter or cookie, and none of the test tokens anywhere, over HTTP and in the
 * WebSocket handshake. And the captured log of a mix of succeeding and failing requests contains no token.
 *
 * <p>Concrete classes fix the relay and the log level; the DEBUG ones raise {@code io.liteboxd} before any logger
 * exists (jetty-slf4j applies a level set at run time only to loggers that already exist).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CredentialHygiene {

    private static final Duration BOUND = Duration.ofSeconds(10);

    static {
        // The access log is quiet in the other suites; here its lines are part of what must stay token-free.
        System.setProperty("io.liteboxd.proxy.access.LEVEL", "INFO");
    }

    private RawUpstream recorder;
    private Gateway gateway;
    private LogCapture log;

    abstract RelayKind relay();

    /** The level {@code io.liteboxd} logs at in this class's JVM. */
    abstract String level();

    @BeforeAll
    void start() throws Exception {
        // Started before the gateway so that its start-up lines are captured too (proof the capture works).
        log = LogCapture.start("credential-hygiene-" + relay() + "-" + level() + ".log");
        recorder = RawUpstream.start(CredentialHygiene::record);
        gateway = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().connectTimeout(Duration.ofSeconds(1)).build()).start();
        runTheMix();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
        recorder.close();
        log.close();
    }

    @Test
    void noCredentialReachesTheUpstream() {
        List<String> heads = recorder.heads();
        assertThat(heads).as("requests the upstream recorded (HTTP and WebSocket)").hasSizeGreaterThanOrEqualTo(8);
        assertThat(heads.stream().filter(h -> h.toLowerCase(Locale.ROOT).contains("upgrade: websocket")).count())
                .as("WebSocket handshakes among them").isGreaterThanOrEqualTo(3);
        for (String head : heads) {
            String lower = head.toLowerCase(Locale.ROOT);
            assertThat(lower).as("upstream request:%n%s", head).doesNotContain("x-access-token");
            assertThat(lower).as("upstream request:%n%s", head).doesNotContain("liteboxd_token");
            for (String token : ALL_TOKENS) {
                assertThat(head).as("upstream request:%n%s", head).doesNotContain(token);
            }
        }
    }

    @Test
    void noTokenInTheLog() throws Exception {
        String text = log.text();
        assertThat(text).as("the capture works: start-up line").contains("liteboxd-proxy serving");
        if (level().equals("DEBUG")) {
            assertThat(text).as("the capture works at DEBUG: a refusal was logged").contains("Refused");
        }
        for (String token : ALL_TOKENS) {
            int at = text.indexOf(token);
            assertThat(at).as("token %s in %s, near: %s", token, log.path(),
                    at < 0 ? "" : text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 80))).isNegative();
        }
    }

    // ---- the mix ----

    /** Succeeding and failing requests, each carrying a token somewhere. */
    private void runTheMix() throws Exception {
        int up = recorder.port();
        List<RawHttp.RawResponse> answers = new ArrayList<>();
        // Succeeding HTTP.
        answers.add(http(Request.get(path(up, "/a?x=1")).token(TOKEN)));
        answers.add(http(Request.of("POST", path(up, "/b")).token(TOKEN).body("payload".getBytes(StandardCharsets.UTF_8))));
        answers.add(http(Request.get(path(up, "/c")).header("x-access-token: " + TOKEN)));
        answers.add(http(Request.get(path(up, "/d")).token(TOKEN).header("Connection: keep-alive, X-Access-Token")
                .header("Connection: close")));
        answers.add(http(Request.get(path(up, "/e?liteboxd_token=" + TOKEN + "&keep=1"))));
        answers.add(http(Request.get(path(up, "/f")).token(TOKEN)
                .header("Cookie: app=1; liteboxd_token=" + TOKEN + "; other=2")));
        for (RawHttp.RawResponse r : answers) {
            assertThat(r.status()).as("succeeding request: %s", r).isEqualTo(200);
        }
        // Succeeding WebSocket handshakes, each followed by a message and a normal close.
        webSocket(Request.get(path(up, "/ws")).webSocket().token(TOKEN));
        webSocket(Request.get(path(up, "/ws?liteboxd_token=" + TOKEN)).webSocket());
        webSocket(Request.get(path(up, "/ws")).webSocket().token(TOKEN)
                .header("Cookie: liteboxd_token=" + TOKEN + "; app=1"));
        // Failing requests: wrong token, unknown sandbox, duplicates, bad route, not ready, upstream down.
        int closed = RawUpstream.closedPort();
        List<Request> failing = List.of(
                Request.get(path(up, "/g")).token(OTHER_TOKEN),
                Request.get("/api/v1/sandbox/nosuch/port/" + up + "/h").token(TOKEN),
                Request.get(path(up, "/i")).token(TOKEN).token(OTHER_TOKEN),
                Request.get("/api/v1/sandbox/sbx-main/port/080/j").token(TOKEN),
                Request.get("/api/v1/sandbox/" + SLEEPY_ID + "/port/" + up + "/k").token(SLEEPY_TOKEN),
                Request.get(path(closed, "/l")).token(TOKEN),
                Request.get(path(closed, "/m?liteboxd_token=" + TOKEN)),
                Request.get(path(up, "/ws")).webSocket().token(OTHER_TOKEN),
                Request.get(path(closed, "/ws")).webSocket().token(TOKEN),
                Request.get(path(closed, "/ws?liteboxd_token=" + TOKEN)).webSocket());
        for (Request r : failing) {
            RawHttp.RawResponse answer = RawHttp.exchange(gateway.port(), r);
            assertThat(answer.status()).as("failing request %s: %s", r, answer).isGreaterThanOrEqualTo(400);
        }
    }

    private RawHttp.RawResponse http(Request r) throws Exception {
        return RawHttp.exchange(gateway.port(), r);
    }

    private void webSocket(Request handshake) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(gateway.port(), handshake)) {
            ws.sendText("hello");
            assertThat(ws.nextData(BOUND).text()).isEqualTo("hello");
            ws.sendRaw(WsFrames.client(true, WsFrames.CLOSE, WsFrames.closePayload(1000, "bye")));
            ws.awaitClose(BOUND);
        }
    }

    private static String path(int port, String rest) {
        return TestSandboxes.path(port, rest);
    }

    /** The recorder: answers HTTP with 200, completes WebSocket handshakes and echoes text until closed. */
    private static void record(Socket s, RawUpstream u) throws Exception {
        s.setSoTimeout(30_000);
        while (true) {
            String head;
            try {
                head = u.readHead(s);
            } catch (java.io.IOException e) {
                return;
            }
            String lower = head.toLowerCase(Locale.ROOT);
            if (lower.contains("upgrade: websocket")) {
                answer101(s, head);
                echoUntilClose(s);
                return;
            }
            int length = contentLength(lower);
            if (length > 0) {
                s.getInputStream().readNBytes(length);
            }
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
        }
    }

    private static void answer101(Socket s, String head) throws java.io.IOException {
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsFrames.acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static void echoUntilClose(Socket s) throws java.io.IOException {
        InputStream in = s.getInputStream();
        while (true) {
            WsFrames.Frame f = WsFrames.read(in);
            if (f.isClose()) {
                s.getOutputStream().write(WsFrames.server(true, WsFrames.CLOSE, f.payload()));
                s.getOutputStream().flush();
                return;
            }
            if (f.opcode() == WsFrames.TEXT || f.opcode() == WsFrames.BINARY || f.opcode() == WsFrames.CONTINUATION) {
                s.getOutputStream().write(WsFrames.server(f.fin(), f.opcode(), f.payload()));
                s.getOutputStream().flush();
            }
        }
    }

    private static int contentLength(String lowerHead) {
        for (String line : lowerHead.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }
}
