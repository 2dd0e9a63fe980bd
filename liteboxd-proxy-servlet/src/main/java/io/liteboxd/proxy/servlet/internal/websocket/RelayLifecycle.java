package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.servlet.internal.websocket.RelayStats.Side;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one relayed WebSocket connection, the same for every relay: when each leg was last heard from,
 * keepalive pings, closing a leg that went silent, mirroring one leg's close to the other, the grace a close
 * handshake gets before the legs still open are ended, finishing exactly once, and the session's {@link RelayStats}.
 *
 * <p>A relay moves the data and reports what happens on its legs; it supplies only how a leg is pinged, closed and
 * ended ({@link Leg}). Thread-safe: legs report from their own threads.
 */
public final class RelayLifecycle {

    /** How long a close handshake, once started, gets to finish before the legs still open are ended. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(RelayLifecycle.class);

    /** What a relay does to one of its legs when the lifecycle says so. */
    public interface Leg {

        /** Sends the gateway's keepalive ping, unless a write in flight already tests the connection. */
        void ping();

        /**
         * Sends a close frame of the gateway's own; {@code code} may be sent on this leg. A leg not open yet sends
         * it once it opens, or reports itself {@link RelayLifecycle#ended ended} if it never will.
         */
        void close(int code, String reason);

        /** Ends the connection now, without waiting for a close handshake. */
        void terminate();
    }

    private static final class State {
        final Side side;
        final AtomicBoolean ended = new AtomicBoolean();
        volatile Leg leg;
        volatile long seen = System.nanoTime();

        State(Side side) {
            this.side = side;
        }
    }

    private final RelaySettings settings;
    private final Object relay;
    private final Runnable onFinished;
    private final RelayStats stats = new RelayStats();
    private final State client = new State(Side.CLIENT);
    private final State upstream = new State(Side.UPSTREAM);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Scheduler.Task keepalive;
    private volatile Scheduler.Task closeDeadline;

    /**
     * @param relay      the relay, for logs
     * @param onFinished run once both legs ended, off the thread that reported the last end
     */
    public RelayLifecycle(RelaySettings settings, Object relay, Leg client, Leg upstream, Runnable onFinished) {
        this.settings = settings;
        this.relay = relay;
        this.client.leg = client;
        this.upstream.leg = upstream;
        this.onFinished = onFinished;
    }

    public RelayStats stats() {
        return stats;
    }

    /** Something arrived from {@code side}, or a write of relayed data to it completed: it is alive. */
    public void seen(Side side) {
        state(side).seen = System.nanoTime();
    }

    /** Both legs are open: keepalive pings start (unless disabled). */
    public void start() {
        seen(Side.CLIENT);
        seen(Side.UPSTREAM);
        scheduleKeepalive();
    }

    /** True once {@code side}'s connection is gone. */
    public boolean hasEnded(Side side) {
        return state(side).ended.get();
    }

    /**
     * {@code from} closed with {@code code} (1006 when its connection died without a close frame): the other leg
     * is sent the same code, made sendable there, and the close handshake begins.
     */
    public void mirrorClose(Side from, int code, String reason) {
        stats.closedBy(from, code);
        if (from == Side.UPSTREAM) {
            client.leg.close(CloseCodes.towardsClient(code), reason);
        } else {
            upstream.leg.close(CloseCodes.towardsUpstream(code), reason);
        }
        beginClosing();
    }

    /** A close frame from {@code from} was passed on to the other leg as it was: the close handshake begins. */
    public void closeRelayed(Side from, int code) {
        stats.closedBy(from, code);
        beginClosing();
    }

    /** The gateway ends the session: both legs are sent {@code code}. */
    public void abort(int code, String reason) {
        abort(code, reason, true, true);
    }

    /** The gateway ends the session with {@code code}, sent on the legs chosen (a leg may be past sending). */
    public void abort(int code, String reason, boolean toClient, boolean toUpstream) {
        stats.closedBy(Side.GATEWAY, code);
        if (toUpstream) {
            upstream.leg.close(code, reason);
        }
        if (toClient) {
            client.leg.close(code, reason);
        }
        beginClosing();
    }

    /** {@code side}'s connection is gone. The relay finishes when both are; until then the other leg has the grace. */
    public void ended(Side side) {
        if (!state(side).ended.compareAndSet(false, true)) {
            return;
        }
        if (client.ended.get() && upstream.ended.get()) {
            finish();
        } else {
            beginClosing();
        }
    }

    /**
     * Gives a close handshake that started {@link #CLOSE_GRACE} to end before the legs still open are ended. Every
     * close the lifecycle sees starts it; a relay calls it for a close it started itself on one leg.
     */
    public void beginClosing() {
        if (closing.compareAndSet(false, true)) {
            closeDeadline = settings.httpClient().getScheduler().schedule(this::closeGraceOver, CLOSE_GRACE.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (finished.get()) {
                closeDeadline.cancel();
            }
        }
    }

    private void closeGraceOver() {
        for (State state : new State[] {client, upstream}) {
            if (!state.ended.get()) {
                LOG.debug("{} {} did not finish closing in {}, ending it", relay, state.side.label(), CLOSE_GRACE);
                state.leg.terminate();
                ended(state.side);
            }
        }
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        for (Scheduler.Task task : new Scheduler.Task[] {keepalive, closeDeadline}) {
            if (task != null) {
                task.cancel();
            }
        }
        // Listeners may log or block briefly: never on a selector or container I/O thread. The client's pool
        // reuses idle threads (a fresh thread per session end would make the thread count follow the churn).
        try {
            settings.httpClient().getExecutor().execute(onFinished);
        } catch (RejectedExecutionException e) {
            onFinished.run();
        }
    }

    private void scheduleKeepalive() {
        Duration interval = settings.pingInterval();
        if (interval.isZero() || finished.get() || closing.get()) {
            return;
        }
        keepalive = settings.httpClient().getScheduler().schedule(this::ping, interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (finished.get() || closing.get()) {
            return;
        }
        long now = System.nanoTime();
        for (State state : new State[] {client, upstream}) {
            if (now - state.seen > settings.idleTimeout().toNanos()) {
                // A half-open peer never answers our pings, and our pings keep the transport's idle timer from
                // firing: only "nothing received" finds it.
                LOG.debug("{} {} silent for {}, closing", relay, state.side.label(), settings.idleTimeout());
                abort(CloseCodes.GOING_AWAY, state.side.label() + " idle timeout");
                return;
            }
        }
        client.leg.ping();
        upstream.leg.ping();
        scheduleKeepalive();
    }

    private State state(Side side) {
        return side == Side.CLIENT ? client : upstream;
    }
}
