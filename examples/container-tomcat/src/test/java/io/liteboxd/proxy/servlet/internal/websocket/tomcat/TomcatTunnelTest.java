package io.liteboxd.proxy.servlet.internal.websocket.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.container.tomcat.TomcatGateways;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.testkit.WsFrames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Tomcat tunnel's own cases beyond the contract suite (which runs it as Tomcat's {@code auto}): a stalled
 * upstream must leave the client's connection quiet, not re-dispatched without pause; deaths on either side and a
 * container stop must reach the other side as close frames.
 */
class TomcatTunnelTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String SANDBOX = "sb1";
    private static final String TOKEN = "tok-sb1-secret";

    private GatewayVariant.Running gateway;
    /** Tasks Tomcat dispatched to its workers: every socket event, a read event included, is one. */
    private final LongAdder dispatches = new LongAdder();
    private final ExecutorService tomcatWorkers = Executors.newCachedThreadPool();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tunnel-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void start() throws Exception {
        StaticSandboxes sandboxes = new StaticSandboxes(
                List.of(new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN)));
        ProxyConfig config = ProxyConfig.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        gateway = TomcatGateways.start(new GatewaySetup(config, sandboxes.authenticator(), sandboxes.resolver(),
                new DirectPodConnector()), connector -> connector.getProtocolHandler().setExecutor(task -> {
                    dispatches.increment();
                    tomcatWorkers.execute(task);
                }));
        assertThat(gateway.webSocketRelay()).startsWith("tomcat-tunnel");
    }

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
        tomcatWorkers.shutdownNow();
    }

    private int port() {
        return gateway.uri().getPort();
    }

    private static String path(int upstreamPort, String rest) {
        return ProxyConfig.DEFAULT_ROUTE_PREFIX + "/" + SANDBOX + "/port/" + upstreamPort + rest;
    }

    /**
     * Counts Tomcat's dispatches rather than CPU time: its standard upgrade processor re-armed read interest after
     * every event, so a connection with unread bytes that the upstream would not take was dispatched again at once, in
     * a loop; a count over a stall of any length tells that apart from a handful, whatever the machine's speed.
     */
    @Test
    void stalledUpstream_leavesTheClientConnectionQuiet_untilItReadsAgain() throws Exception {
        CountDownLatch resume = new CountDownLatch(1);
        long total = 128L * 1024 * 1024;
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            resume.await();
            u.holdSilently(s);
        }); RawWebSocket ws = RawWebSocket.open(port(), path(app.port(), "/stalled"), TOKEN)) {
            RawWebSocket.Writer writer = ws.writeUntilStalled(threads, total);
            assertThat(writer.task().isDone()).as("the client wrote %d bytes unhindered", writer.written().get())
                    .isFalse();

            long before = dispatches.sum();
            Thread.sleep(2000);
            long during = dispatches.sum() - before;
            assertThat(during).as("socket events dispatched while the upstream took nothing").isLessThan(10);

            resume.countDown();
            writer.task().get(60, TimeUnit.SECONDS);
            assertThat(writer.written().get()).as("the relay resumed once the upstream read again").isGreaterThanOrEqualTo(total);
        }
    }

    @Test
    void clientVanishingMidMessage_closesTheUpstreamWith1001() throws Exception {
        CompletableFuture<WsFrames.Frame> upstreamClose = new CompletableFuture<>();
        CountDownLatch fragmentSeen = new CountDownLatch(1);
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            upstreamClose.complete(readUntilClose(s.getInputStream(), fragmentSeen));
        }); RawWebSocket ws = RawWebSocket.open(port(), path(app.port(), "/ws"), TOKEN)) {
            ws.send(false, WsFrames.TEXT, "first half of a message".getBytes(StandardCharsets.UTF_8));
            assertThat(fragmentSeen.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            ws.vanish();
            WsFrames.Frame close = upstreamClose.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(close).as("the upstream saw its connection end without a close frame").isNotNull();
            assertThat(close.closeCode()).isEqualTo(1001);
        }
    }

    @Test
    void upstreamDyingMidMessage_closesTheClientWithAReason() throws Exception {
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            s.getOutputStream().write(WsFrames.server(false, WsFrames.TEXT,
                    "first half of a message".getBytes(StandardCharsets.UTF_8)));
            s.getOutputStream().flush();
            s.close();
        }); RawWebSocket ws = RawWebSocket.open(port(), path(app.port(), "/ws"), TOKEN)) {
            WsFrames.Frame close = ws.awaitClose(BOUND);
            assertThat(close.closeCode()).as("close code after the upstream died: %s", close).isIn(1011, 1014);
            assertThat(close.closeReason()).as("a reason the client can log").isNotBlank();
        }
    }

    @Test
    void containerStopWithSessionsOpen_tellsBothSides1001() throws Exception {
        CompletableFuture<WsFrames.Frame> upstreamClose = new CompletableFuture<>();
        CountDownLatch helloSeen = new CountDownLatch(1);
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            u.acceptWebSocket(s);
            upstreamClose.complete(readUntilClose(s.getInputStream(), helloSeen));
        }); RawWebSocket ws = RawWebSocket.open(port(), path(app.port(), "/ws"), TOKEN)) {
            ws.sendText("hello");
            // The session is relaying, not still being set up, when the container stops.
            assertThat(helloSeen.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            GatewayVariant.Running stopping = gateway;
            gateway = null;
            Future<?> stopped = threads.submit(() -> {
                stopping.close();
                return null;
            });
            WsFrames.Frame close = ws.awaitClose(BOUND);
            assertThat(close.closeCode()).as("close the client got: %s", close).isEqualTo(1001);
            WsFrames.Frame upstreamGot = upstreamClose.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(upstreamGot).as("the upstream got a close frame").isNotNull();
            assertThat(upstreamGot.closeCode()).isEqualTo(1001);
            ws.close();
            stopped.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The upstream's view: frames until a close frame (returned) or the end of the stream (null). */
    private static WsFrames.Frame readUntilClose(InputStream in, CountDownLatch dataSeen) throws IOException {
        while (true) {
            WsFrames.Frame frame;
            try {
                frame = WsFrames.read(in);
            } catch (IOException e) {
                return null;
            }
            if (frame == null) {
                return null;
            }
            if (frame.isClose()) {
                return frame;
            }
            dataSeen.countDown();
        }
    }
}
