package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket half of the gateway contract every container, front end and WebSocket relay must pass: the relay
 * the setting selects, messages and fragments both ways, subprotocols, close codes, what the upstream's handshake
 * sees and upstream failures during the handshake. A module runs it once per relay setting of each front end.
 */
public abstract class WebSocketContract extends GatewayContract {

    @Test
    void usesTheExpectedWebSocketRelay() {
        assertThat(running().webSocketRelay()).startsWith(variant.expectedRelay());
    }

    @Test
    void keepPrefixPort_getsTheWholePathAndTheClientsHost_ws() throws Exception {
        String probe = probe();
        URI uri = URI.create("ws://" + gateway.getHost() + ":" + gateway.getPort()
                + route(KEEP, upstream.port(), "/ws/headers?probe=" + probe));
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("X-Access-Token", KEEP_TOKEN);
        openSessions.add(wsClient.connect(new WsClientSocket(), request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        Map<String, List<String>> seen = upstream.awaitHandshake(probe, WAIT);
        assertThat(seen).doesNotContainKey("x-forwarded-prefix");
        assertThat(seen.get("host")).containsExactly(gateway.getHost() + ":" + gateway.getPort());
    }

    @Test
    void ws_textEcho() throws Exception {
        WsClientSocket ws = connectWs("/ws/echo");

        await(cb -> ws.session().sendText("h\u00e9llo \u2713 \uD83C\uDF0D", cb));
        await(cb -> ws.session().sendText("second", cb));

        assertThat(ws.nextText()).isEqualTo("h\u00e9llo \u2713 \uD83C\uDF0D");
        assertThat(ws.nextText()).isEqualTo("second");
    }

    @Test
    void ws_binaryEcho() throws Exception {
        WsClientSocket ws = connectWs("/ws/echo");
        byte[] payload = new byte[1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }

        await(cb -> ws.session().sendBinary(ByteBuffer.wrap(payload), cb));

        assertThat(ws.nextBinary()).isEqualTo(payload);
    }

    @Test
    void ws_largeFragmentedBinary_8MiB_arrivesIntact() throws Exception {
        WsClientSocket ws = connectWs("/ws/echo");
        byte[] payload = TestData.bytes(8 * MiB, 21);
        int fragment = 64 * 1024;

        for (int off = 0; off < payload.length; off += fragment) {
            int len = Math.min(fragment, payload.length - off);
            boolean last = off + len == payload.length;
            ByteBuffer part = ByteBuffer.wrap(payload, off, len);
            await(cb -> ws.session().sendPartialBinary(part, last, cb));
        }

        byte[] echoed = ws.nextBinary();
        assertThat(echoed).hasSize(payload.length);
        assertThat(TestData.sha256(echoed)).isEqualTo(TestData.sha256(payload));
    }

    @Test
    void ws_fragmentedMultibyteText_arrivesIntact() throws Exception {
        WsClientSocket ws = connectWs("/ws/echo");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 512 * 1024; i++) {
            sb.append(i).append(" h\u00e9llo \u2713 w\u00f6rld \uD83C\uDF0D ");
        }
        String text = sb.toString();

        int start = 0;
        while (start < text.length()) {
            int end = Math.min(start + 7919, text.length());
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            String part = text.substring(start, end);
            boolean last = end == text.length();
            await(cb -> ws.session().sendPartialText(part, last, cb));
            start = end;
        }

        assertThat(ws.nextText()).isEqualTo(text);
    }

    @Test
    void ws_subprotocol_isTheOneTheUpstreamChose() throws Exception {
        // The upstream prefers chat.v2 although it is not offered first: a gateway that picks for itself would
        // answer "alpha".
        WsClientSocket ws = connectWs("/ws/subprotocol", rq -> rq.setSubProtocols("alpha", "chat.v2", "beta"));

        assertThat(ws.session().getUpgradeResponse().getAcceptedSubProtocol())
                .as("accepted subprotocol; 101 headers %s", ws.session().getUpgradeResponse().getHeaders())
                .isEqualTo("chat.v2");
        assertThat(ws.nextText()).isEqualTo("protocol=chat.v2");
    }

    /**
     * Browsers offer every subprotocol in one comma-separated header line; the Jetty client used above sends one line
     * per protocol. Both forms are legal (RFC 6455 section 11.3.4) and must give the upstream's choice.
     */
    @Test
    void ws_subprotocol_offeredInOneCommaSeparatedLine_isTheOneTheUpstreamChose() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, route(SANDBOX, upstream.port(), "/ws/subprotocol"),
                List.of("X-Access-Token: " + TOKEN, "Sec-WebSocket-Protocol: alpha, chat.v2, beta"));

        assertThat(r.status()).as(r.toString()).isEqualTo(101);
        assertThat(r.headers().get("sec-websocket-protocol")).as(r.toString()).containsExactly("chat.v2");
    }

    @Test
    void ws_noSubprotocol_whenNoneOffered() throws Exception {
        WsClientSocket ws = connectWs("/ws/subprotocol");

        assertThat(ws.session().getUpgradeResponse().getAcceptedSubProtocol()).isNullOrEmpty();
        assertThat(ws.session().getUpgradeResponse().getHeaders("Sec-WebSocket-Protocol")).isNullOrEmpty();
        assertThat(ws.nextText()).isEqualTo("protocol=");
    }

    @Test
    void ws_greetingSentOnOpen_arrivesFirst() throws Exception {
        WsClientSocket ws = connectWs("/ws/greet");
        await(cb -> ws.session().sendText("after greeting", cb));

        assertThat(ws.nextText()).isEqualTo(Upstream.GREETING);
        assertThat(ws.nextText()).isEqualTo("after greeting");
    }

    @Test
    void ws_clientCloseCodeAndReason_reachUpstream() throws Exception {
        String probe = probe();
        WsClientSocket ws = connectWs("/ws/echo?probe=" + probe);
        await(cb -> ws.session().sendText("ready?", cb));
        assertThat(ws.nextText()).isEqualTo("ready?");

        ws.session().close(4001, "client-bye", Callback.NOOP);

        assertThat(upstream.awaitClose(probe, WAIT)).isEqualTo(new Upstream.CloseRecord(4001, "client-bye"));
        assertThat(ws.closed()).succeedsWithin(WAIT);
    }

    @Test
    void ws_upstreamCloseCodeAndReason_reachClient() throws Exception {
        WsClientSocket ws = connectWs("/ws/close");
        await(cb -> ws.session().sendText("still open", cb));
        assertThat(ws.nextText()).isEqualTo("still open");

        await(cb -> ws.session().sendText("close 4002 server-bye", cb));

        assertThat(ws.closed()).succeedsWithin(WAIT).isEqualTo(new Upstream.CloseRecord(4002, "server-bye"));
    }

    @Test
    void ws_handshakeReachingUpstream_hasNoTokenAndHasForwardedHeaders() throws Exception {
        String probe = probe();
        WsClientSocket ws = connectWs("/ws/headers?probe=" + probe, rq -> rq.setHeader("X-Client-Trace", "ws-trace-1"));

        Map<String, List<String>> seen = upstream.awaitHandshake(probe, WAIT);
        assertThat(seen).doesNotContainKey("x-access-token");
        assertThat(seen.get("x-client-trace")).containsExactly("ws-trace-1");
        assertForwardedHeaders(seen);
        // The same headers, as the upstream reported them over the relayed connection.
        assertThat(ws.nextText()).doesNotContain(TOKEN).contains("ws-trace-1");
    }

    @Test
    void ws_clientClaimsAndRefererCredentials_neverReachTheUpstream() throws Exception {
        String probe = probe();
        connectWs("/ws/headers?probe=" + probe, rq -> {
            rq.setHeader("Forwarded", "for=6.6.6.6");
            rq.setHeader("X-Real-IP", "6.6.6.6");
            rq.setHeader("Impersonate-User", "admin");
            rq.setHeader("X-Remote-Group", "system:masters");
            rq.setHeader("Referer", "http://gw/p?liteboxd_token=" + TOKEN + "&b=2");
        });

        Map<String, List<String>> seen = upstream.awaitHandshake(probe, WAIT);
        assertThat(seen).doesNotContainKeys("forwarded", "x-real-ip", "impersonate-user", "x-remote-group");
        assertThat(seen.get("referer")).containsExactly("http://gw/p?b=2");
        assertForwardedHeaders(seen);
    }

    /** The upstream's 101 headers pass the same policy, each {@code Set-Cookie} on its own line. */
    @Test
    void ws_upstreamHandshakeHeaders_passThePolicy_oneLinePerCookie() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, route(SANDBOX, upstream.port(), "/ws/cookies"),
                List.of("X-Access-Token: " + TOKEN));

        assertThat(r.status()).as(r.toString()).isEqualTo(101);
        assertThat(r.headers().get("set-cookie")).as(r.toString()).hasSize(2)
                .allMatch(v -> v.contains("Path=" + route(SANDBOX, upstream.port(), "/")))
                .anyMatch(v -> v.startsWith("second=2") && v.contains("Expires=Wed, 21 Oct 2037 07:28:00 GMT"));
        assertThat(r.headers()).as(r.toString()).doesNotContainKeys("clear-site-data", "nel");
    }

    /**
     * An app closes a kept-alive connection just as the gateway sends the next request on it (its idle timeout ran
     * out meanwhile). A WebSocket handshake caught that way never reached the app: it is sent again on a new
     * connection instead of failing with 502.
     */
    @Test
    void ws_handshakeOnAConnectionTheUpstreamJustClosed_isSentAgain() throws Exception {
        try (ServerSocket app = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            bounded.submit(() -> {
                boolean first = true;
                while (!app.isClosed()) {
                    Socket s = app.accept();
                    boolean keptAlive = first;
                    first = false;
                    bounded.submit(() -> {
                        try (s) {
                            InputStream in = s.getInputStream();
                            String head = readHead(in);
                            if (keptAlive) {
                                // Answers one request, then closes when the next one arrives on it.
                                in.readNBytes(contentLength(head));
                                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                        .getBytes(StandardCharsets.US_ASCII));
                                s.getOutputStream().flush();
                                readHead(in);
                                return null;
                            }
                            String key = head.lines()
                                    .filter(l -> l.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18))
                                    .map(l -> l.substring(18).trim()).findFirst().orElse("");
                            s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + RawHttp.expectedAccept(key)
                                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            s.getOutputStream().flush();
                            in.read();
                        }
                        return null;
                    });
                }
                return null;
            });
            RawHttp.RawResponse post = RawHttp.exchange(gateway, "POST", route(SANDBOX, app.getLocalPort(), "/form"),
                    List.of("X-Access-Token: " + TOKEN), "a=1".getBytes(StandardCharsets.US_ASCII));
            assertThat(post.status()).as(post.toString()).isEqualTo(200);

            RawHttp.RawResponse ws = RawHttp.webSocketHandshake(gateway, route(SANDBOX, app.getLocalPort(), "/ws"),
                    List.of("X-Access-Token: " + TOKEN));
            assertThat(ws.status()).as(ws.toString()).isEqualTo(101);
        }
    }

    @Test
    void ws_upstreamRefusing403_reachesClientAs403() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, route(SANDBOX, upstream.port(), "/ws/refuse"),
                List.of("X-Access-Token: " + TOKEN));

        assertGatewayError(r, 403, "upstream_refused");
    }

    @Test
    void ws_upstreamDown_answers502() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, route(SANDBOX, closedPort(), "/ws/echo"),
                List.of("X-Access-Token: " + TOKEN));

        assertGatewayError(r, 502, "upstream_unreachable");
    }

    /**
     * An upstream app that stops reading stops the client's writes too: the gateway holds a bounded amount of what
     * the client sends (its buffers and the sockets' kernel buffers), never the whole stream.
     */
    @Test
    void ws_upstreamThatStopsReading_stopsTheClientsWrites() throws Exception {
        long unbounded = 256L * MiB;
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            u.holdWithoutReading();
        }); RawWebSocket ws = RawWebSocket.open(gateway.getPort(), route(SANDBOX, app.port(), "/stalled"), TOKEN)) {
            // Writes stall once every buffer on the way is full; closing the socket at the end unblocks the writer.
            RawWebSocket.Writer writer = ws.writeUntilStalled(bounded, unbounded);
            assertThat(writer.task().isDone()).as("the client wrote %d bytes unhindered", writer.written().get())
                    .isFalse();
            assertThat(writer.written().get()).isLessThan(unbounded);
        }
    }
}
