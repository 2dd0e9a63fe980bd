package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.reliability.support.Resources;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.testkit.WsClient;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Clients that stop reading while their sandbox keeps talking. The gateway must stop reading the upstream in
 * turn (TCP backpressure end to end, heap flat) and must not let those stalled connections hold a shared thread
 * pool hostage: a fresh client still completes a handshake, an echo of a fragmented message and a close.
 *
 * <p>The upstream firehose writes message after message, each only once the previous one was written, so its
 * message count stops growing exactly when backpressure reaches it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SlowReaders {

    /** Which WebSocket relay the gateway uses for this run of the cases. */
    abstract RelayKind relay();


    static final int STALLED = 200;
    /** Heap growth allowed while readers are stalled: generous, an unbounded relay blows through it in seconds. */
    static final long HEAP_BOUND = 256L * 1024 * 1024;
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final int SMALL_RCVBUF = 16 * 1024;

    private Upstream upstream;
    private Gateway gateway;
    private WsClient client;
    private final List<RawWebSocket> stalled = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        upstream = Upstream.start();
        // Idle timeout far beyond the test, so stalled connections are not simply timed out from under it; two
        // hundred readers of one sandbox are above the default per-sandbox limit, which is not what this measures.
        gateway = Gateway.builder().relay(relay()).sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().pingInterval(Duration.ZERO).idleTimeout(Duration.ofMinutes(5))
                        .maxConnectionsPerSandbox(0).build())
                .start();
        client = new WsClient(16);
    }

    @AfterAll
    void stop() throws Exception {
        client.close();
        gateway.close();
        upstream.close();
    }

    @AfterEach
    void releaseStalledReaders() throws IOException {
        for (RawWebSocket ws : stalled) {
            ws.reset();
        }
        stalled.clear();
        Await.until("bridges of the stalled readers closed", BOUND, () -> gateway.servlet().openWebSockets() == 0,
                () -> gateway.servlet().openWebSockets());
    }

    @Test
    void stalledReaderPausesTheUpstreamAndResumesIt() throws Exception {
        long heapBefore = Resources.heapAfterGc();
        long sentBefore = upstream.firehoseMessages();
        RawWebSocket ws = RawWebSocket.open(gateway.port(), RawHttp.Request.get(
                TestSandboxes.path(upstream.port(), "/ws/firehose?bytes=16384")).webSocket().token(TOKEN), SMALL_RCVBUF);
        stalled.add(ws);

        long plateauTotal = awaitFirehoseStable();
        long plateau = plateauTotal - sentBefore;
        long plateauBytes = plateau * 16384;
        long heapGrowth = Resources.heapAfterGc() - heapBefore;
        System.out.printf("[slow-reader] 1 stalled reader: upstream wrote %d messages (%s) then stopped; "
                + "heap growth %s%n", plateau, Resources.mib(plateauBytes), Resources.mib(heapGrowth));
        // What a stalled connection may hold: the socket buffers on both legs plus a message or two in flight.
        assertThat(plateauBytes).as("bytes the upstream could write to a reader that reads nothing")
                .isLessThan(64L * 1024 * 1024);
        assertThat(heapGrowth).as("heap growth while stalled").isLessThan(HEAP_BOUND);

        // Reading again resumes the flow: the pause was backpressure, not a broken relay. The buffers along the
        // way hold a few MiB, so read until the upstream moves (bounded), not a fixed number of frames.
        long deadline = System.nanoTime() + BOUND.toNanos();
        long frames = 0;
        while (upstream.firehoseMessages() <= plateauTotal) {
            assertThat(System.nanoTime()).as("the upstream writes again once the client reads (%d frames read)",
                    frames).isLessThan(deadline);
            ws.nextData(BOUND);
            frames++;
        }
    }

    /**
     * 200 clients stall on fragmented messages (fragments go through the bridge's blocking-send path, the one that
     * can park a pool thread per connection), then a fresh client must still get everything done.
     */
    @Test
    void twoHundredStalledReadersDoNotStopAFreshClient() throws Exception {
        stallTwoHundredReaders();
        // The path that needs no pooled thread: single-frame messages both ways.
        WsClientSocket fresh = client.open(
                gateway.wsUri(TestSandboxes.path(upstream.port(), "/ws/echo?fragments=1")), TOKEN, BOUND);
        fresh.send("small");
        assertThat(fresh.nextText(BOUND)).isEqualTo("small");
        assertThat(fresh.closeNormally(BOUND).code()).isEqualTo(1000);
    }

    /** Fragmented messages to a fresh client while 200 others are stalled on fragments. */
    @Test
    void twoHundredStalledReadersDoNotStopFragmentsOrClosesToAFreshClient() throws Exception {
        stallTwoHundredReaders();
        WsClientSocket fresh = client.open(gateway.wsUri(TestSandboxes.path(upstream.port(),
                "/ws/close?fragments=4")), TOKEN, BOUND);
        String big = "B".repeat(256 * 1024);
        fresh.send(big);
        assertThat(fresh.nextText(BOUND)).as("a fragmented echo beside %d stalled readers", STALLED).isEqualTo(big);
        // A close the gateway must deliver (the upstream closes): it goes through the same send machinery.
        fresh.send("close 4000 asked to close");
        assertThat(fresh.closed().get(BOUND.toMillis(), TimeUnit.MILLISECONDS).code()).isEqualTo(4000);
    }

    /**
     * 200 clients stall on fragmented messages: fragments take the bridge's blocking-send path, the one that can
     * park a pool thread per connection. Checks that the upstreams were paused and the heap stayed flat.
     */
    private void stallTwoHundredReaders() throws Exception {
        long heapBefore = Resources.heapAfterGc();
        long sentBefore = upstream.firehoseMessages();
        for (int i = 0; i < STALLED; i++) {
            stalled.add(RawWebSocket.open(gateway.port(), RawHttp.Request.get(TestSandboxes.path(upstream.port(),
                    "/ws/firehose?bytes=65536&fragments=8")).webSocket().token(TOKEN), SMALL_RCVBUF));
        }
        long plateau = awaitFirehoseStable() - sentBefore;
        long heapStalled = Resources.heapAfterGc();
        System.out.printf("[slow-reader] %d stalled readers: upstreams wrote %d messages (%s) then stopped; heap "
                        + "growth %s; send threads %d; threads %s%n", STALLED, plateau, Resources.mib(plateau * 65536),
                Resources.mib(heapStalled - heapBefore), Resources.threads("liteboxd-ws-send"),
                Resources.threadGroups());
        assertThat(gateway.servlet().openWebSockets()).isEqualTo(STALLED);
        assertThat(heapStalled - heapBefore).as("heap growth with %d stalled readers", STALLED).isLessThan(HEAP_BOUND);
    }

    /** Polls until the firehose count has not moved for 1.5 s; that is backpressure having reached the upstream. */
    private long awaitFirehoseStable() {
        long[] last = {-1};
        int[] still = {0};
        Await.until("the upstream firehose to stop (backpressure reached it)", Duration.ofSeconds(60), () -> {
            long now = upstream.firehoseMessages();
            still[0] = now == last[0] ? still[0] + 1 : 0;
            last[0] = now;
            sleepQuietly(250);
            return still[0] >= 6;
        }, upstream::firehoseMessages);
        return last[0];
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
