package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.testkit.WsFrames;
import io.liteboxd.proxy.testkit.WsFrames.Frame;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The upstream dies after the upgrade: mid-message, mid-frame, by RST. The client must get a close frame with
 * 1011 (or 1014) and a reason it can log, and no relay may be left open. Raw upstreams, so FINs and RSTs happen
 * exactly where the test says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UpstreamDeaths {

    private static final Duration BOUND = Duration.ofSeconds(15);

    private Gateway gateway;

    /** Which WebSocket relay the gateway uses for this run of the cases. */
    abstract RelayKind relay();

    @BeforeAll
    void start() throws Exception {
        gateway = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().connectTimeout(Duration.ofSeconds(2)).build()).start();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    @AfterEach
    void nothingLeftOpen() {
        Await.until("no open relays", BOUND, () -> gateway.servlet().openWebSockets() == 0,
                () -> gateway.servlet().openWebSockets());
    }

    @Test
    void upstreamDyingMidMessageClosesTheClientWithAReason() throws Exception {
        // First fragment of a text message, then the process "dies": FIN without a close frame.
        assertUpstreamDeathReported((s, u) -> {
            u.acceptWebSocket(s);
            send(s, WsFrames.server(false, WsFrames.TEXT, "first half of a message".getBytes(StandardCharsets.UTF_8)));
            s.close();
        });
    }

    @Test
    void upstreamDyingMidFrameClosesTheClientWithAReason() throws Exception {
        // A frame header announcing 1000 bytes, 10 of them, then FIN.
        assertUpstreamDeathReported((s, u) -> {
            u.acceptWebSocket(s);
            byte[] frame = WsFrames.server(true, WsFrames.BINARY, new byte[1000]);
            send(s, Arrays.copyOf(frame, 14));
            s.close();
        });
    }

    @Test
    void upstreamResetMidMessageClosesTheClientWithAReason() throws Exception {
        assertUpstreamDeathReported((s, u) -> {
            u.acceptWebSocket(s);
            send(s, WsFrames.server(false, WsFrames.TEXT, "partial".getBytes(StandardCharsets.UTF_8)));
            RawUpstream.reset(s);
        });
    }

    @Test
    void upstreamResetBetweenMessagesClosesTheClientWithAReason() throws Exception {
        assertUpstreamDeathReported((s, u) -> {
            u.acceptWebSocket(s);
            send(s, WsFrames.server(true, WsFrames.TEXT, "whole".getBytes(StandardCharsets.UTF_8)));
            RawUpstream.reset(s);
        });
    }

    /** Data relayed before the death may or may not reach the client first; the close must follow it. */
    private void assertUpstreamDeathReported(RawUpstream.Behaviour dies) throws Exception {
        try (RawUpstream upstream = RawUpstream.start(dies);
             RawWebSocket ws = RawWebSocket.open(gateway.port(), path(upstream.port(), "/ws"), TOKEN)) {
            Frame close = ws.awaitClose(BOUND);
            assertThat(close.closeCode()).as("close code after the upstream died: %s", close).isIn(1011, 1014);
            assertThat(close.closeReason()).as("a reason the client can log").isNotBlank();
        }
    }

    private static void send(Socket s, byte[] bytes) throws java.io.IOException {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    private static String path(int port, String rest) {
        return TestSandboxes.path(port, rest);
    }
}
