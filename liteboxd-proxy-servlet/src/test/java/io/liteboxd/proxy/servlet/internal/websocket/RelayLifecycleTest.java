package io.liteboxd.proxy.servlet.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.observe.WebSocketSessionEvent;
import io.liteboxd.proxy.servlet.internal.websocket.RelayStats.Side;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lifecycle both relays share, driven through recording legs on Jetty's real scheduler. */
class RelayLifecycleTest {

    private static final Duration PING = Duration.ofMillis(50);
    private static final Duration IDLE = Duration.ofMillis(400);

    private final HttpClient httpClient = new HttpClient();
    private final RecordingLeg client = new RecordingLeg();
    private final RecordingLeg upstream = new RecordingLeg();
    private final BlockingQueue<String> finished = new LinkedBlockingQueue<>();
    private final AtomicInteger finishes = new AtomicInteger();
    private RelayLifecycle lifecycle;

    @BeforeEach
    void start() throws Exception {
        httpClient.start();
        RelaySettings settings = new RelaySettings(PING, IDLE, Duration.ofSeconds(1), 1024, httpClient);
        lifecycle = new RelayLifecycle(settings, "test", client, upstream, () -> {
            finishes.incrementAndGet();
            finished.add(Thread.currentThread().getName());
        });
    }

    @AfterEach
    void stop() throws Exception {
        httpClient.stop();
    }

    @Test
    void aCloseIsMirroredToTheOtherLegWithACodeThatMayBeSentThere() throws Exception {
        lifecycle.mirrorClose(Side.UPSTREAM, 1006, "upstream died");
        assertThat(client.closes).containsExactly("1011 upstream died");
        lifecycle.mirrorClose(Side.CLIENT, 1005, "");
        assertThat(upstream.closes).containsExactly("1000 ");
        lifecycle.ended(Side.UPSTREAM);
        lifecycle.ended(Side.CLIENT);
        assertThat(finished.poll(5, TimeUnit.SECONDS)).isNotNull();
        WebSocketSessionEvent event = lifecycle.stats().event("r", "s", 1);
        assertThat(event.closedBy()).isEqualTo("upstream");
        assertThat(event.closeCode()).isEqualTo(1006);
    }

    @Test
    void finishesExactlyOnceAndOffTheReportingThread() throws Exception {
        lifecycle.start();
        lifecycle.ended(Side.CLIENT);
        lifecycle.ended(Side.CLIENT);
        assertThat(finished.poll(200, TimeUnit.MILLISECONDS)).as("one leg still open").isNull();
        lifecycle.ended(Side.UPSTREAM);
        lifecycle.ended(Side.UPSTREAM);
        assertThat(finished.poll(5, TimeUnit.SECONDS)).isNotEqualTo(Thread.currentThread().getName());
        Thread.sleep(RelayLifecycle.CLOSE_GRACE.toMillis() + 200);
        assertThat(finishes.get()).isEqualTo(1);
        assertThat(client.terminations.get() + upstream.terminations.get()).as("no grace after the finish").isZero();
        assertThat(client.pings.get()).as("no keepalive after the finish").isLessThanOrEqualTo(1);
    }

    @Test
    void legsThatDoNotFinishClosingWithinTheGraceAreEnded() throws Exception {
        lifecycle.start();
        long started = System.nanoTime();
        lifecycle.abort(CloseCodes.GOING_AWAY, "gateway shutting down");
        assertThat(client.closes).containsExactly("1001 gateway shutting down");
        assertThat(upstream.closes).containsExactly("1001 gateway shutting down");
        assertThat(finished.poll(RelayLifecycle.CLOSE_GRACE.toMillis() + 5000, TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(RelayLifecycle.CLOSE_GRACE);
        assertThat(client.terminations.get()).isEqualTo(1);
        assertThat(upstream.terminations.get()).isEqualTo(1);
        WebSocketSessionEvent event = lifecycle.stats().event("r", "s", 1);
        assertThat(event.closedBy()).isEqualTo("gateway");
        assertThat(event.closeCode()).isEqualTo(1001);
    }

    @Test
    void keepalivePingsBothLegsAndClosesTheOneThatFellSilent() throws Exception {
        lifecycle.start();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        // The client keeps talking; the upstream never says anything again.
        while (client.closes.isEmpty() && System.nanoTime() < end) {
            lifecycle.seen(Side.CLIENT);
            Thread.sleep(10);
        }
        assertThat(client.pings.get()).isGreaterThan(1);
        assertThat(upstream.pings.get()).isGreaterThan(1);
        assertThat(client.closes).containsExactly("1001 upstream idle timeout");
        assertThat(upstream.closes).containsExactly("1001 upstream idle timeout");
    }

    @Test
    void aLegThatKeepsTalkingIsNeverClosedForIdleness() throws Exception {
        lifecycle.start();
        long end = System.nanoTime() + IDLE.multipliedBy(4).toNanos();
        while (System.nanoTime() < end) {
            lifecycle.seen(Side.CLIENT);
            lifecycle.seen(Side.UPSTREAM);
            Thread.sleep(10);
        }
        assertThat(client.closes).isEmpty();
        assertThat(upstream.closes).isEmpty();
        assertThat(upstream.pings.get()).isGreaterThan(2);
    }

    private static final class RecordingLeg implements RelayLifecycle.Leg {
        final AtomicInteger pings = new AtomicInteger();
        final AtomicInteger terminations = new AtomicInteger();
        final List<String> closes = new CopyOnWriteArrayList<>();

        @Override
        public void ping() {
            pings.incrementAndGet();
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }

        @Override
        public void terminate() {
            terminations.incrementAndGet();
        }
    }
}
