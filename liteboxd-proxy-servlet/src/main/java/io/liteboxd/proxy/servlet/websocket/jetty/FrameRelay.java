package io.liteboxd.proxy.servlet.websocket.jetty;

import io.liteboxd.proxy.header.HeaderBlock;
import io.liteboxd.proxy.servlet.websocket.CloseCodes;
import io.liteboxd.proxy.servlet.websocket.Keepalive;
import io.liteboxd.proxy.servlet.websocket.MessageMeter;
import io.liteboxd.proxy.servlet.websocket.Relay;
import io.liteboxd.proxy.servlet.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.websocket.RelayStats;
import io.liteboxd.proxy.servlet.websocket.SessionDial;
import io.liteboxd.proxy.servlet.websocket.UpstreamAnswer;
import io.liteboxd.proxy.servlet.websocket.UpstreamRequest;
import io.liteboxd.proxy.servlet.websocket.Utf8Validator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast relay for Jetty 12: both legs are Jetty WebSocket sessions, and data frames are forwarded as frames,
 * without decoding text to {@code String} and encoding it again (text is only validated as UTF-8, incrementally).
 *
 * <p>Symmetric and non-blocking: a frame read from one leg is written to the other, and that leg is asked for more
 * frames only while a small window of writes is outstanding ({@link ReadWindow}). Small messages are thus pipelined
 * (the next frame is parsed while the previous one is written, and queued frames leave in one write), while a slow
 * reader stops the other side's reading after a bounded number of bytes: TCP backpressure, no heap growth, no thread
 * held. Frames arrive at most {@code maxFrameSize} (64 KiB) large, so huge messages stream through in fragments.
 *
 * <p>Pings are answered per hop by Jetty; pongs are relayed both ways, except those answering the gateway's own
 * keepalive pings. Close codes are mirrored as in the Jakarta bridge.
 */
final class FrameRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(FrameRelay.class);

    private final RelaySettings settings;
    private final String name;
    private final Consumer<Relay> onFinished;
    private final Leg client;
    private final Leg upstream;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final RelayStats stats = new RelayStats();
    private volatile Scheduler.Task keepalive;

    FrameRelay(RelaySettings settings, String name, Consumer<Relay> onFinished) {
        this.settings = settings;
        this.name = name;
        this.onFinished = onFinished;
        this.client = new Leg("client", settings.maxMessageSize());
        this.upstream = new Leg("upstream", settings.maxMessageSize());
        client.peer = upstream;
        upstream.peer = client;
    }

    @Override
    public String toString() {
        return "FrameRelay[" + name + "]";
    }

    @Override
    public java.util.concurrent.CompletableFuture<UpstreamAnswer> connectUpstream(UpstreamRequest request) {
        return SessionDial.dial(settings.webSocketClient(), new LegListener(this, upstream), request,
                () -> abort(CloseCodes.GOING_AWAY, "handshake timed out"));
    }

    @Override
    public void upgradeClient(HttpServletRequest request, HttpServletResponse response, String subprotocol,
                              HeaderBlock responseHeaders) throws IOException {
        JettyWebSocketServerContainer container = JettyWebSocketServerContainer.getContainer(request.getServletContext());
        if (container == null) {
            throw new IOException("Jetty WebSocket server is not available in this context");
        }
        boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse) -> {
            if (subprotocol != null && !subprotocol.isEmpty()
                    && upgradeRequest.getSubProtocols().contains(subprotocol)) {
                upgradeResponse.setAcceptedSubProtocol(subprotocol);
            }
            responseHeaders.forEach(upgradeResponse::addHeader);
            return new LegListener(this, client);
        }, request, response);
        if (!upgraded) {
            throw new IOException("Jetty refused to upgrade the request");
        }
    }

    @Override
    public boolean isClientOpen() {
        return client.session != null;
    }

    @Override
    public RelayStats stats() {
        return stats;
    }

    @Override
    public void abort(int code, String reason) {
        stats.closedBy(RelayStats.Side.GATEWAY, code);
        close(upstream, code, reason);
        close(client, code, reason);
        if (client.session == null) {
            client.done.set(true);
            finishIfDone();
        }
    }

    // ---- events --------------------------------------------------------------------------------------------

    void opened(Leg leg, Session session) {
        Integer pending;
        synchronized (leg) {
            // Paired with close(): a close either sees the session or leaves a pending code seen here.
            leg.core = ((WebSocketSession) session).getCoreSession();
            leg.session = session;
            pending = leg.pendingClose;
        }
        session.setIdleTimeout(leg == client ? settings.idleTimeout() : settings.upstreamIdleTimeout());
        if (leg == client) {
            if (pending != null) {
                // The relay was closed (drain, abort, upstream end) while the client was still upgrading.
                close(client, pending, "closed during upgrade");
                return;
            }
            if (upstream.done.get()) {
                close(client, CloseCodes.INTERNAL_ERROR, "upstream closed");
                return;
            }
            scheduleKeepalive();
            // Nothing was read from the upstream until now, so its first message (a greeting) is still waiting.
            upstream.session.demand();
            client.session.demand();
        }
    }

    void frame(Leg from, Frame frame, Callback callback) {
        from.seen = System.nanoTime();
        byte opcode = frame.getOpCode();
        if (!OpCode.isDataFrame(opcode)) {
            control(from, opcode, frame.getPayload(), callback);
            return;
        }
        ByteBuffer payload = frame.getPayload();
        boolean fin = frame.isFin();
        if (!from.meter.add(payload == null ? 0 : payload.remaining(), fin)) {
            callback.succeed();
            fail(from, CloseCodes.MESSAGE_TOO_BIG, from.meter.tooBigReason());
            return;
        }
        if (opcode == OpCode.TEXT) {
            from.inText = true;
        }
        if (from.inText) {
            boolean valid = payload == null || from.utf8.update(payload);
            if (valid && fin) {
                valid = from.utf8.endOfMessage();
            }
            if (!valid) {
                callback.succeed();
                fail(from, 1007, "invalid UTF-8 in a text message");
                return;
            }
            if (fin) {
                from.inText = false;
            }
        }
        Leg to = from.peer;
        CoreSession out = to.core;
        if (out == null || to.done.get()) {
            callback.succeed();
            return;
        }
        int bytes = payload == null ? 0 : payload.remaining();
        if (from == client) {
            stats.toUpstream(bytes, fin);
        } else {
            stats.toClient(bytes, fin);
        }
        from.window.sent(bytes);
        org.eclipse.jetty.websocket.core.Frame copy =
                new org.eclipse.jetty.websocket.core.Frame(opcode, fin, payload == null ? ByteBuffer.allocate(0) : payload);
        out.sendFrame(copy, org.eclipse.jetty.util.Callback.from(() -> {
            // A peer that takes our writes is alive even if it never sends (a client tailing a log): its writes
            // stop completing once a dead peer's socket buffer is full, and then the idle check applies.
            to.seen = System.nanoTime();
            callback.succeed();
            if (from.window.written(bytes)) {
                from.session.demand();
            }
        }, failure -> {
            callback.fail(failure);
            LOG.debug("{} writing to {} failed", this, to.name, failure);
            fail(to, CloseCodes.INTERNAL_ERROR, "write failed");
        }), false);
        if (from.window.readMore()) {
            from.session.demand();
        }
    }

    /**
     * Jetty answers pings itself (a listener that sees frames cannot also take pings over), so each hop keeps its
     * own liveness and pings are not relayed. Pongs are relayed, except those answering the gateway's keepalive.
     */
    private void control(Leg from, byte opcode, ByteBuffer payload, Callback callback) {
        if (opcode == OpCode.CLOSE) {
            callback.succeed();
            return;
        }
        Leg to = from.peer;
        if (opcode == OpCode.PONG && !Keepalive.isOwnPong(payload) && to.core != null && !to.done.get()) {
            to.core.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.PONG, Keepalive.copy(payload)),
                    org.eclipse.jetty.util.Callback.NOOP, false);
        }
        callback.succeed();
        from.session.demand();
    }

    void closed(Leg from, int code, String reason) {
        stats.closedBy(from == client ? RelayStats.Side.CLIENT : RelayStats.Side.UPSTREAM, code);
        from.done.set(true);
        int mirrored = from == upstream ? CloseCodes.towardsClient(code) : CloseCodes.towardsUpstream(code);
        close(from.peer, mirrored, reason);
        finishIfDone();
    }

    void failed(Leg from, Throwable cause) {
        // Jetty always follows an error with onWebSocketClose, where the peer is closed with the mirrored code;
        // closing it here too would race that and could replace a real close code with a generic one.
        LOG.debug("{} {} failed", this, from.name, cause);
    }

    // ---- closing -------------------------------------------------------------------------------------------

    /** A protocol violation or limit on {@code offender}: it gets {@code code}, its peer a generic close. */
    private void fail(Leg offender, int code, String reason) {
        stats.closedBy(RelayStats.Side.GATEWAY, code);
        close(offender, code, reason);
        int peerCode = code == CloseCodes.MESSAGE_TOO_BIG ? CloseCodes.MESSAGE_TOO_BIG
                : (offender.peer == upstream ? CloseCodes.GOING_AWAY : CloseCodes.INTERNAL_ERROR);
        close(offender.peer, peerCode, reason);
    }

    private void close(Leg leg, int code, String reason) {
        Session s;
        synchronized (leg) {
            s = leg.session;
            if (s == null) {
                if (leg.pendingClose == null) {
                    leg.pendingClose = code;
                }
                return;
            }
        }
        if (s.isOpen()) {
            s.close(code, CloseCodes.reason(reason), Callback.NOOP);
        } else {
            leg.done.set(true);
            finishIfDone();
        }
    }

    private void finishIfDone() {
        if (client.done.get() && upstream.done.get() && finished.compareAndSet(false, true)) {
            Scheduler.Task task = keepalive;
            if (task != null) {
                task.cancel();
            }
            onFinished.accept(this);
        }
    }

    // ---- keepalive -----------------------------------------------------------------------------------------

    private void scheduleKeepalive() {
        Duration interval = settings.pingInterval();
        if (interval.isZero() || finished.get()) {
            return;
        }
        keepalive = settings.scheduler().schedule(this::ping, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (finished.get()) {
            return;
        }
        long now = System.nanoTime();
        for (Leg leg : new Leg[] {client, upstream}) {
            if (now - leg.seen > settings.idleTimeout().toNanos()) {
                // A half-open peer never answers our pings, and our pings keep Jetty's idle timer from firing.
                LOG.debug("{} {} silent for {}, closing", this, leg.name, settings.idleTimeout());
                abort(CloseCodes.GOING_AWAY, leg.name + " idle timeout");
                return;
            }
        }
        for (Leg leg : new Leg[] {client, upstream}) {
            CoreSession core = leg.core;
            // A write in flight already tests this connection; a ping behind it would only queue up.
            if (core != null && !leg.done.get() && leg.peer.window.idle()) {
                core.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.PING, Keepalive.payload()),
                        org.eclipse.jetty.util.Callback.NOOP, false);
            }
        }
        scheduleKeepalive();
    }

    /** One side of the relay. Fields written by its own listener's serial event delivery. */
    static final class Leg {
        final String name;
        final MessageMeter meter;
        final Utf8Validator utf8 = new Utf8Validator();
        final AtomicBoolean done = new AtomicBoolean();
        Leg peer;
        volatile Session session;
        volatile CoreSession core;
        /** Frames read from this leg and not yet written to its peer. */
        final ReadWindow window = new ReadWindow();
        volatile Integer pendingClose;
        /** Last time any frame arrived on this leg. */
        volatile long seen = System.nanoTime();
        boolean inText;

        Leg(String name, long maxMessageSize) {
            this.name = name;
            this.meter = new MessageMeter(maxMessageSize);
        }
    }

    /**
     * Jetty listener of one leg, not auto-demanding. Public because Jetty invokes listener methods through method
     * handles, which fail on non-public classes.
     */
    public static final class LegListener implements Session.Listener {
        private final FrameRelay relay;
        private final Leg leg;

        LegListener(FrameRelay relay, Leg leg) {
            this.relay = relay;
            this.leg = leg;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            relay.opened(leg, session);
        }

        @Override
        public void onWebSocketFrame(Frame frame, Callback callback) {
            relay.frame(leg, frame, callback);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            relay.closed(leg, statusCode, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            relay.failed(leg, cause);
        }
    }
}
