package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static io.liteboxd.proxy.testkit.WsFrames.BINARY;
import static io.liteboxd.proxy.testkit.WsFrames.CLOSE;
import static io.liteboxd.proxy.testkit.WsFrames.CONTINUATION;
import static io.liteboxd.proxy.testkit.WsFrames.PING;
import static io.liteboxd.proxy.testkit.WsFrames.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.testkit.WsFrames;
import io.liteboxd.proxy.testkit.WsFrames.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile WebSocket frames from an upgraded client (raw socket, so the frames really are invalid on the wire), and
 * messages over the configured size limit in both directions. Each must end in the RFC 6455 close code for the
 * offence on the client leg, the upstream leg must be closed too, and no bridge may be left open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebSocketFrameAbuse {

    /** Which WebSocket relay the gateway uses for this run of the cases. */
    abstract RelayKind relay();


    /** Small enough that a test message exceeds it in one frame, large enough to relay a normal message. */
    static final int MAX_MESSAGE = 1024;
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final AtomicInteger PROBES = new AtomicInteger();

    private static int upstreamPort;
    private Upstream upstream;
    private Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        upstream = Upstream.start();
        upstreamPort = upstream.port();
        gateway = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().maxMessageSize(MAX_MESSAGE).build()).start();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
        upstream.close();
    }

    @AfterEach
    void noBridgeLeftOpen() {
        Await.until("every bridge closed", BOUND, () -> gateway.servlet().openWebSockets() == 0,
                () -> gateway.servlet().openWebSockets() + " open");
        Await.until("every upstream session closed", BOUND, () -> upstream.openSessions() == 0,
                () -> upstream.openSessions() + " open");
    }

    /**
     * @param frames        what the client sends after the handshake
     * @param clientClose   the close code the client must receive
     * @param upstreamClose the close code the upstream must receive
     */
    record Abuse(String name, byte[] frames, int clientClose, int upstreamClose) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> abuses() {
        byte[] big = new byte[MAX_MESSAGE + 1];
        Arrays.fill(big, (byte) 'b');
        byte[] part = new byte[MAX_MESSAGE / 2 + 1];
        Arrays.fill(part, (byte) 'p');
        return Stream.of(
                // RFC 6455 8.1: a text message that is not valid UTF-8 fails the connection with 1007.
                new Abuse("invalid UTF-8 (C3 28) in a text frame", frame(true, TEXT, bytes(0xC3, 0x28)), 1007, 1007),
                new Abuse("overlong encoding (C0 AF) in a text frame", frame(true, TEXT, bytes(0xC0, 0xAF)), 1007, 1007),
                new Abuse("UTF-16 surrogate (ED A0 80) in a text frame", frame(true, TEXT, bytes(0xED, 0xA0, 0x80)),
                        1007, 1007),
                new Abuse("invalid UTF-8 across two fragments",
                        concat(frame(false, TEXT, bytes('a', 0xE2, 0x82)), frame(true, CONTINUATION, bytes(0x28))),
                        1007, 1007),
                // Over maxMessageSize: 1009 on both legs, whether one frame or many fragments.
                new Abuse("text message one byte over the limit", frame(true, TEXT, big), 1009, 1009),
                new Abuse("binary message one byte over the limit", frame(true, BINARY, big), 1009, 1009),
                new Abuse("fragmented message over the limit",
                        concat(frame(false, BINARY, part), frame(true, CONTINUATION, part)), 1009, 1009),
                // RFC 6455 5.5: control frames carry at most 125 bytes and are never fragmented -> 1002.
                new Abuse("ping with a 126-byte payload", frame(true, PING, new byte[126]), 1002, 1002),
                new Abuse("fragmented ping", frame(false, PING, bytes('x')), 1002, 1002),
                new Abuse("close with a 126-byte payload", frame(true, CLOSE, closeWithReason(1000, 124)), 1002, 1002),
                // RFC 6455 5.1-5.4: framing errors -> 1002.
                new Abuse("unmasked client frame", WsFrames.encode(true, 0, TEXT, bytes('h', 'i'), false), 1002, 1002),
                new Abuse("RSV1 set without a negotiated extension",
                        WsFrames.encode(true, 4, TEXT, bytes('h', 'i'), true), 1002, 1002),
                new Abuse("reserved opcode 0x3", frame(true, 0x3, bytes('x')), 1002, 1002),
                new Abuse("reserved control opcode 0xB", frame(true, 0xB, bytes('x')), 1002, 1002),
                new Abuse("continuation without a message in progress", frame(true, CONTINUATION, bytes('x')),
                        1002, 1002),
                new Abuse("new text frame inside a fragmented message",
                        concat(frame(false, TEXT, bytes('a')), frame(true, TEXT, bytes('b'))), 1002, 1002),
                new Abuse("close frame with a 1-byte payload", frame(true, CLOSE, bytes(0x03)), 1002, 1002),
                new Abuse("close code 1005 (reserved, must not be sent)", frame(true, CLOSE, bytes(0x03, 0xED)),
                        1002, 1002),
                new Abuse("close code 999 (out of range)", frame(true, CLOSE, bytes(0x03, 0xE7)), 1002, 1002))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("abuses")
    void offenceClosesTheClientWithItsCode(Abuse abuse) throws Exception {
        String probe = "abuse-" + PROBES.incrementAndGet();
        try (RawWebSocket ws = RawWebSocket.open(gateway.port(), path("/ws/echo?fragments=1&probe=" + probe), TOKEN)) {
            ws.sendRaw(abuse.frames());
            Frame close = ws.awaitClose(BOUND);
            assertThat(close.closeCode()).as("close code to the client for %s: %s", abuse, close)
                    .isEqualTo(abuse.clientClose());
            // The upstream leg is closed too, whatever it is told (checked separately below).
            upstream.closeOf(probe).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Over the size limit the sandbox is told why: 1009, like the client. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sizeAbuses")
    void sizeOffenceClosesTheUpstreamWith1009(Abuse abuse) throws Exception {
        assertUpstreamToldOf(abuse);
    }

    /**
     * A client's protocol or UTF-8 offence is mirrored to the sandbox with the same code, as every close is
     * (docs/architecture.md, "close"), on both relays.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolAbuses")
    void protocolOffenceIsMirroredToTheUpstream(Abuse abuse) throws Exception {
        assertUpstreamToldOf(abuse);
    }

    private void assertUpstreamToldOf(Abuse abuse) throws Exception {
        String probe = "abuse-" + PROBES.incrementAndGet();
        try (RawWebSocket ws = RawWebSocket.open(gateway.port(), path("/ws/echo?fragments=1&probe=" + probe), TOKEN)) {
            ws.sendRaw(abuse.frames());
            ws.awaitClose(BOUND);
            Upstream.CloseRecord up = upstream.closeOf(probe).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(up.code()).as("close code the upstream received for %s: %s", abuse, up)
                    .isEqualTo(abuse.upstreamClose());
        }
    }

    static Stream<Arguments> sizeAbuses() {
        return abuses().filter(a -> ((Abuse) a.get()[0]).clientClose() == 1009);
    }

    static Stream<Arguments> protocolAbuses() {
        return abuses().filter(a -> ((Abuse) a.get()[0]).clientClose() != 1009);
    }

    /** The limit is not off by one: a message exactly at maxMessageSize is relayed both ways. */
    @Test
    void messageExactlyAtTheLimitIsRelayed() throws Exception {
        String text = "e".repeat(MAX_MESSAGE);
        try (RawWebSocket ws = RawWebSocket.open(gateway.port(), path("/ws/echo?fragments=1"), TOKEN)) {
            ws.sendText(text);
            Frame echoed = ws.nextData(BOUND);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(echoed.payload());
            while (!echoed.fin()) {
                echoed = ws.nextData(BOUND);
                all.writeBytes(echoed.payload());
            }
            assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo(text);
            ws.sendRaw(frame(true, CLOSE, WsFrames.closePayload(1000, "done")));
            assertThat(ws.awaitClose(BOUND).closeCode()).isEqualTo(1000);
        }
    }

    /** Upstream to client: a message over the limit closes the client with 1009 and the upstream with 1009. */
    @Test
    void oversizedUpstreamMessageClosesBothLegsWith1009() throws Exception {
        String probe = "big-" + PROBES.incrementAndGet();
        try (RawWebSocket ws = RawWebSocket.open(gateway.port(),
                path("/ws/big?fragments=1&bytes=" + (MAX_MESSAGE * 4) + "&probe=" + probe), TOKEN)) {
            Frame close = ws.awaitClose(BOUND);
            assertThat(close.closeCode()).as("%s", close).isEqualTo(1009);
            assertThat(upstream.closeOf(probe).get(BOUND.toMillis(), TimeUnit.MILLISECONDS).code()).isEqualTo(1009);
        }
    }

    // ---- helpers ----

    private static String path(String rest) {
        return "/api/v1/sandbox/" + TestSandboxes.ID + "/port/" + upstreamPort + rest;
    }


    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return WsFrames.client(fin, opcode, payload);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] closeWithReason(int code, int reasonBytes) {
        return WsFrames.closePayload(code, "r".repeat(reasonBytes));
    }

}
