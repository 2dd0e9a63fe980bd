package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.testkit.WsClient;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A leg that goes away without saying so: the client or the upstream closes TCP without a close frame, resets it,
 * or stays connected but silent (never reads, never answers a ping: what a half-open connection looks like from
 * this side). The gateway must close the other leg, within the idle timeout for the silent cases, and leave no
 * bridge behind. A healthy idle connection must survive the same time (the control that shows the keepalive is
 * not simply closing everything).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientFaults {

    /** Which WebSocket relay the gateway uses for this run of the cases. */
    abstract RelayKind relay();


    static final Duration PING = Duration.ofMillis(300);
    static final Duration IDLE = Duration.ofMillis(1500);
    /** Generous against IDLE: the wait is a hang check, not a timing assertion. */
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final AtomicInteger PROBES = new AtomicInteger();

    private Upstream upstream;
    private Gateway gateway;
    /** Same settings without keepalive pings: only the idle timeout acts. */
    private Gateway noPings;
    private WsClient client;

    @BeforeAll
    void start() throws Exception {
        upstream = Upstream.start();
        gateway = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().pingInterval(PING).idleTimeout(IDLE)
                        .connectTimeout(Duration.ofSeconds(2)).build()).start();
        noPings = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().pingInterval(Duration.ZERO).idleTimeout(IDLE)
                        .connectTimeout(Duration.ofSeconds(2)).build()).start();
        client = new WsClient(16);
    }

    @AfterAll
    void stop() throws Exception {
        client.close();
        noPings.close();
        gateway.close();
        upstream.close();
    }

    @AfterEach
    void noBridgeLeft() {
        Await.until("no open bridges", BOUND, () -> gateway.servlet().openWebSockets() == 0
                && noPings.servlet().openWebSockets() == 0,
                () -> gateway.servlet().openWebSockets() + " + " + noPings.servlet().openWebSockets());
    }

    // ---- the client goes away ----

    @Test
    void clientClosingTcpWithoutACloseFrameClosesTheUpstreamWith1001() throws Exception {
        String probe = probe();
        RawWebSocket ws = connectedRawClient(probe);
        ws.vanish();
        assertUpstreamClosed(probe, 1001);
    }

    @Test
    void clientResetClosesTheUpstreamWith1001() throws Exception {
        String probe = probe();
        RawWebSocket ws = connectedRawClient(probe);
        ws.reset();
        assertUpstreamClosed(probe, 1001);
    }

    // ---- half-open peers: the socket stays up but nothing comes back ----
    //
    // Each case runs twice: on the gateway with keepalive pings (what the issue asks: "half-open connections found
    // by the ping keepalive") and on one with pings disabled, where only the idle timeout acts. The first set is
    // disabled: the gateway's own pings are writes, and the container's idle timer counts writes as activity, so
    // a peer that never answers is never found while pings are on.


    /** Half-open: the socket stays up, the client never reads and never answers a ping. */
    @Test
    void silentClientThatNeverReadsIsClosedByTheKeepalive() throws Exception {
        silentClientIsClosed(gateway, false);
    }

    @Test
    void silentClientThatNeverReadsIsClosedByTheIdleTimeoutWithoutPings() throws Exception {
        silentClientIsClosed(noPings, false);
    }

    /**
     * Half-open, variant: the client's TCP stack still takes every byte (reads), but no pong ever comes back. The
     * gateway's pings succeed as writes, so only "nothing received" can find this connection.
     */
    @Test
    void clientThatReadsButNeverAnswersPingsIsClosedByTheKeepalive() throws Exception {
        silentClientIsClosed(gateway, true);
    }

    @Test
    void clientThatReadsButNeverAnswersIsClosedByTheIdleTimeoutWithoutPings() throws Exception {
        silentClientIsClosed(noPings, true);
    }

    @Test
    void upstreamThatNeverReadsIsClosedByTheKeepaliveAndTheClientIsTold() throws Exception {
        silentUpstreamIsClosed(gateway, false);
    }

    @Test
    void upstreamThatNeverReadsIsClosedByTheIdleTimeoutWithoutPings() throws Exception {
        silentUpstreamIsClosed(noPings, false);
    }

    @Test
    void upstreamThatReadsButNeverAnswersPingsIsClosedByTheKeepalive() throws Exception {
        silentUpstreamIsClosed(gateway, true);
    }

    @Test
    void upstreamThatReadsButNeverAnswersIsClosedByTheIdleTimeoutWithoutPings() throws Exception {
        silentUpstreamIsClosed(noPings, true);
    }

    private void silentClientIsClosed(Gateway via, boolean drains) throws Exception {
        String probe = probe();
        try (RawWebSocket ws = connectedRawClient(via, probe)) {
            if (drains) {
                Thread drain = new Thread(() -> {
                    try {
                        ws.awaitEndOfStream(BOUND);
                    } catch (Exception ignored) {
                        // the test ends the socket
                    }
                }, "drain");
                drain.setDaemon(true);
                drain.start();
            }
            assertUpstreamClosed(probe, 1001);
        }
    }

    /** The client (Jetty's, which answers pings) must be told, and the upstream socket must be ended. */
    private void silentUpstreamIsClosed(Gateway via, boolean reads) throws Exception {
        CountDownLatch upstreamSawEnd = new CountDownLatch(1);
        try (RawUpstream silent = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            if (!reads) {
                // Never reads: the end shows as the write side failing, which this fixture cannot observe, so
                // only the client's close is checked below.
                u.holdWithoutReading();
                return;
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // read and drop: pings are never answered
                }
            } finally {
                upstreamSawEnd.countDown();
            }
        })) {
            WsClientSocket socket = client.open(via.wsUri(TestSandboxes.path(silent.port(), "/ws")), TOKEN, BOUND);
            Upstream.CloseRecord close = socket.closed().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(close.code()).as("close the client got: %s", close).isIn(1001, 1011);
            if (reads) {
                assertThat(upstreamSawEnd.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the gateway ended the upstream connection").isTrue();
            }
        }
    }

    // ---- the control: keepalive does not kill healthy idle connections ----

    @Test
    void healthyIdleConnectionOutlivesSeveralIdleTimeouts() throws Exception {
        String probe = probe();
        WsClientSocket socket = client.open(gateway.wsUri(TestSandboxes.path(upstream.port(),
                "/ws/echo?fragments=1&probe=" + probe)), TOKEN, BOUND);
        // An observation window is the only way to show that something does not happen; it spans 4 idle timeouts.
        long end = System.nanoTime() + IDLE.multipliedBy(4).toNanos();
        while (System.nanoTime() < end) {
            assertThat(socket.closed()).as("closed while idle but healthy").isNotDone();
            Thread.sleep(100);
        }
        socket.send("still there?");
        assertThat(socket.nextText(BOUND)).isEqualTo("still there?");
        assertThat(socket.closeNormally(BOUND).code()).isEqualTo(1000);
        assertThat(upstream.closeOf(probe).get(BOUND.toMillis(), TimeUnit.MILLISECONDS).code()).isEqualTo(1000);
    }

    // ---- the client leaves while the gateway is still dialling the upstream ----

    @Test
    void clientLeavingDuringTheUpstreamHandshakeLeavesNoUpstreamConnection() throws Exception {
        CountDownLatch handshakeSeen = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        CountDownLatch upstreamEnded = new CountDownLatch(1);
        try (RawUpstream slow = RawUpstream.start((s, u) -> {
            handshakeSeen.countDown();
            clientGone.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            u.acceptWebSocket(s);
            try {
                u.holdSilently(s);
            } finally {
                upstreamEnded.countDown();
            }
        })) {
            Socket raw = RawHttp.connect(gateway.port());
            raw.getOutputStream().write(RawHttp.Request.get(TestSandboxes.path(slow.port(), "/ws")).webSocket()
                    .token(TOKEN).bytes());
            raw.getOutputStream().flush();
            assertThat(handshakeSeen.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            raw.setSoLinger(true, 0);
            raw.close();
            clientGone.countDown();
            assertThat(upstreamEnded.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the gateway closed the upstream leg of a client that never completed its upgrade").isTrue();
        }
    }

    // ---- helpers ----

    private RawWebSocket connectedRawClient(String probe) throws Exception {
        return connectedRawClient(gateway, probe);
    }

    private RawWebSocket connectedRawClient(Gateway via, String probe) throws Exception {
        RawWebSocket ws = RawWebSocket.open(via.port(),
                TestSandboxes.path(upstream.port(), "/ws/echo?fragments=1&probe=" + probe), TOKEN);
        // One echo proves both legs are up before the client misbehaves.
        ws.sendText("hello");
        assertThat(ws.nextData(BOUND).text()).isEqualTo("hello");
        return ws;
    }

    private void assertUpstreamClosed(String probe, int code) throws Exception {
        Upstream.CloseRecord close = upstream.closeOf(probe).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(close.code()).as("close the upstream got: %s", close).isEqualTo(code);
    }

    private static String probe() {
        return "client-fault-" + PROBES.incrementAndGet();
    }
}
