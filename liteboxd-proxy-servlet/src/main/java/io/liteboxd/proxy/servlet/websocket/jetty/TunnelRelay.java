package io.liteboxd.proxy.servlet.websocket.jetty;

import io.liteboxd.proxy.header.HeaderBlock;
import io.liteboxd.proxy.servlet.websocket.CloseCodes;
import io.liteboxd.proxy.servlet.websocket.Relay;
import io.liteboxd.proxy.servlet.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.websocket.RelayStats;
import io.liteboxd.proxy.servlet.websocket.UpstreamAnswer;
import io.liteboxd.proxy.servlet.websocket.UpstreamRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fastest relay, for Jetty 12 ee10: after both handshakes the two TCP connections are joined by two
 * {@link TunnelPipe}s that move the WebSocket byte stream as it arrives, the way nginx does, with no WebSocket
 * session on either leg and no frame decoded or re-encoded. Unlike a blind byte pipe it still follows every frame
 * in place ({@link FrameScanner}), so the gateway keeps its guarantees: protocol violations, invalid UTF-8 and
 * oversized messages are closed with 1002/1007/1009 on both legs, keepalive pings find dead peers, a leg that dies
 * is reported to the other with a close frame, and sessions are counted and logged like the other relays'.
 *
 * <p>The upstream handshake carries the client's own {@code Sec-WebSocket-Key} (so the upstream's accept value is
 * the client's) and offers no extension: both legs then speak exactly the same framing. Pings and pongs travel end
 * to end, except the pongs answering the gateway's own pings.
 */
final class TunnelRelay implements Relay {

    static final int BUFFER_SIZE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRelay.class);
    /** How long both legs get to finish a close handshake once it started, before their sockets are closed. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    /** One side of the tunnel. */
    static final class Leg {
        final String name;
        private volatile TunnelConnection connection;
        private final AtomicBoolean closed = new AtomicBoolean();
        /** Last time bytes arrived from this leg or a write to it completed. */
        volatile long seen = System.nanoTime();

        Leg(String name) {
            this.name = name;
        }

        TunnelConnection connection() {
            return connection;
        }

        EndPoint endPoint() {
            return connection.getEndPoint();
        }
    }

    private final RelaySettings settings;
    private final String name;
    private final Consumer<Relay> onFinished;
    private final RelayStats stats = new RelayStats();
    final Leg client = new Leg("client");
    final Leg upstream = new Leg("upstream");
    private final TunnelPipe toUpstream;
    private final TunnelPipe toClient;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    /** The close frame an abort chose before the client leg was attached: sent to it as soon as it is. */
    private volatile ByteBuffer abandonedClose;
    private volatile Scheduler.Task keepalive;
    private volatile Scheduler.Task closeDeadline;
    private volatile String clientKey;

    TunnelRelay(RelaySettings settings, String name, Consumer<Relay> onFinished) {
        this.settings = settings;
        this.name = name;
        this.onFinished = onFinished;
        ByteBufferPool pool = settings.httpClient().getByteBufferPool();
        long max = settings.maxMessageSize();
        this.toUpstream = new TunnelPipe(this, client, upstream, new FrameScanner(true, BUFFER_SIZE, max), pool);
        this.toClient = new TunnelPipe(this, upstream, client, new FrameScanner(false, BUFFER_SIZE, max), pool);
    }

    @Override
    public String toString() {
        return "TunnelRelay[" + name + "]";
    }

    // ---- handshakes --------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<UpstreamAnswer> connectUpstream(UpstreamRequest request) {
        clientKey = request.clientKey();
        return TunnelDial.dial(settings.httpClient(), request, this);
    }

    /** Called by {@link TunnelDial} once the upstream answered 101: its endpoint becomes the upstream leg. */
    TunnelConnection upstreamConnection(EndPoint endPoint) {
        return new TunnelConnection(endPoint, settings.httpClient().getExecutor(), this, upstream);
    }

    @Override
    public void upgradeClient(HttpServletRequest request, HttpServletResponse response, String subprotocol,
                              HeaderBlock responseHeaders) throws IOException {
        ServletContextRequest base = ServletContextRequest.getServletContextRequest(request);
        if (base == null) {
            throw new IOException("not a Jetty 12 ee10 request");
        }
        ConnectionMetaData connectionMetaData = base.getConnectionMetaData();
        EndPoint endPoint = connectionMetaData.getConnection().getEndPoint();
        TunnelConnection connection = new TunnelConnection(endPoint,
                connectionMetaData.getConnector().getExecutor(), this, client);
        ServletContextResponse coreResponse = base.getServletContextResponse();
        coreResponse.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        HttpFields.Mutable headers = coreResponse.getHeaders();
        responseHeaders.forEach(headers::add);
        headers.put(HttpHeader.UPGRADE, "websocket");
        headers.put(HttpHeader.CONNECTION, "Upgrade");
        headers.put(HttpHeader.SEC_WEBSOCKET_ACCEPT, TunnelDial.acceptFor(clientKey));
        if (subprotocol != null && !subprotocol.isEmpty()) {
            headers.put(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, subprotocol);
        }
        // Jetty's HTTP/1.1 connection hands its endpoint to this connection once the 101 is written and the
        // request completes, exactly as its own WebSocket upgrade does.
        base.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, connection);
        Callback.Completable written = new Callback.Completable();
        coreResponse.write(true, null, written);
        try {
            written.get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted writing the 101", e);
        } catch (ExecutionException | TimeoutException e) {
            base.removeAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE);
            throw new IOException("could not write the 101", e);
        }
    }

    /** The 101 is written through Jetty's core response, which any thread may do once the request is async. */
    @Override
    public boolean upgradesFromAnyThread() {
        return true;
    }

    @Override
    public boolean isClientOpen() {
        return client.connection != null;
    }

    @Override
    public RelayStats stats() {
        return stats;
    }

    // ---- connection events -------------------------------------------------------------------------------------

    void leftover(Leg leg, ByteBuffer bytes) {
        (leg == client ? toUpstream : toClient).preload(bytes);
    }

    void opened(Leg leg, TunnelConnection connection) {
        leg.connection = connection;
        leg.seen = System.nanoTime();
        if (leg == upstream) {
            return;
        }
        boolean pings = !settings.pingInterval().isZero();
        client.endPoint().setIdleTimeout(settings.idleTimeout().toMillis());
        upstream.endPoint().setIdleTimeout(settings.upstreamIdleTimeout().toMillis());
        if (abandoned.get() || upstream.closed.get()) {
            // The relay was aborted, or the upstream left, while the client was still upgrading. An abort tells the
            // client why (1001 when the gateway drains) rather than letting its connection simply drop.
            ByteBuffer close = abandonedClose;
            EndPoint endPoint = client.endPoint();
            if (close == null) {
                endPoint.close();
            } else {
                endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()), close);
            }
            return;
        }
        if (pings) {
            scheduleKeepalive();
        }
        toUpstream.start();
        toClient.start();
    }

    void readable(Leg leg) {
        (leg == client ? toUpstream : toClient).iterate();
    }

    void closed(Leg leg) {
        leg.closed.set(true);
        // Let the pipe reading it see the end, and the one writing to it stop.
        readable(leg);
        if (client.closed.get() && upstream.closed.get()) {
            finish();
        } else {
            beginClosing();
        }
    }

    void idleExpired(Leg leg) {
        LOG.debug("{} {} idle for too long, closing", this, leg.name);
        abort(CloseCodes.GOING_AWAY, leg.name + " idle timeout");
    }

    // ---- pipe events -------------------------------------------------------------------------------------------

    void count(TunnelPipe pipe, long messages, long bytes) {
        if (messages == 0 && bytes == 0) {
            return;
        }
        if (pipe == toUpstream) {
            stats.addToUpstream(messages, bytes);
        } else {
            stats.addToClient(messages, bytes);
        }
    }

    void closeFrameRelayed(TunnelPipe pipe, int code) {
        stats.closedBy(pipe == toUpstream ? RelayStats.Side.CLIENT : RelayStats.Side.UPSTREAM, code);
        beginClosing();
    }

    /** {@code pipe.from} ended its stream. Without a close frame first, that is a death the other leg is told of. */
    void inputEnded(TunnelPipe pipe) {
        if (!pipe.sawClose()) {
            boolean upstreamDied = pipe.from == upstream;
            stats.closedBy(upstreamDied ? RelayStats.Side.UPSTREAM : RelayStats.Side.CLIENT, 1006);
            int code = upstreamDied ? CloseCodes.towardsClient(1006) : CloseCodes.towardsUpstream(1006);
            pipe.inject(ControlFrames.close(code,
                    upstreamDied ? "upstream closed the connection" : "client went away", pipe.to == upstream), true);
        }
        beginClosing();
    }

    /** {@code pipe.from} broke the protocol: both legs get {@code code}. */
    void violation(TunnelPipe pipe, int code, String reason, boolean clean) {
        LOG.debug("{} {} broke the protocol ({}): {}", this, pipe.from.name, code, reason);
        stats.closedBy(RelayStats.Side.GATEWAY, code);
        if (clean) {
            pipe.inject(ControlFrames.close(code, reason, pipe.to == upstream), true);
        }
        TunnelPipe back = pipe == toUpstream ? toClient : toUpstream;
        back.inject(ControlFrames.close(code, reason, back.to == upstream), true);
        beginClosing();
    }

    void writeFailed(TunnelPipe pipe) {
        // Its target is gone: close it, and the pipe reading it reports the death to the other leg. (A pipe aborted
        // by finish() may target a client leg that never opened.)
        TunnelConnection target = pipe.to.connection;
        if (target != null) {
            target.getEndPoint().close();
        }
        beginClosing();
    }

    void pipeDone(TunnelPipe pipe) {
        beginClosing();
        if (toUpstream.isSucceeded() && toClient.isSucceeded()) {
            // Both streams ended cleanly, FIN propagated both ways: nothing more can cross.
            closeEndPoints();
        }
    }

    // ---- closing -----------------------------------------------------------------------------------------------

    @Override
    public void abort(int code, String reason) {
        stats.closedBy(RelayStats.Side.GATEWAY, code);
        if (client.connection == null) {
            // Not upgraded yet (or never will be): the upstream has no pipe writing to it yet.
            abandonedClose = ControlFrames.close(code, reason, false);
            abandoned.set(true);
            TunnelConnection up = upstream.connection;
            if (up != null) {
                EndPoint endPoint = up.getEndPoint();
                endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()),
                        ControlFrames.close(code, reason, true));
            }
            if (client.closed.compareAndSet(false, true) && (up == null || upstream.closed.get())) {
                finish();
            }
            return;
        }
        toUpstream.inject(ControlFrames.close(code, reason, true), true);
        toClient.inject(ControlFrames.close(code, reason, false), true);
        beginClosing();
    }

    /** Gives a close handshake that started {@link #CLOSE_GRACE} to end before the sockets are simply closed. */
    private void beginClosing() {
        if (closing.compareAndSet(false, true)) {
            closeDeadline = settings.scheduler().schedule(this::closeEndPoints, CLOSE_GRACE.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (finished.get()) {
                closeDeadline.cancel();
            }
        }
    }

    private void closeEndPoints() {
        for (Leg leg : new Leg[] {client, upstream}) {
            TunnelConnection connection = leg.connection;
            if (connection != null) {
                connection.getEndPoint().close();
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
        // Listeners may log or block briefly: never on a selector thread. The client's pool reuses idle threads
        // (a fresh thread per session end would make the thread count follow the connection churn).
        settings.httpClient().getExecutor().execute(() -> onFinished.accept(this));
        // A pipe that never got to see its end (never started, or waiting on a leg that is gone) frees its buffer.
        toUpstream.abort(new java.nio.channels.ClosedChannelException());
        toClient.abort(new java.nio.channels.ClosedChannelException());
    }

    // ---- keepalive ---------------------------------------------------------------------------------------------

    private void scheduleKeepalive() {
        Duration interval = settings.pingInterval();
        if (interval.isZero() || finished.get() || closing.get()) {
            return;
        }
        keepalive = settings.scheduler().schedule(this::ping, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (finished.get() || closing.get()) {
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
        // A write in flight already tests the connection; a ping behind it would only queue up.
        if (toClient.idle()) {
            toClient.inject(ControlFrames.ping(false), false);
        }
        if (toUpstream.idle()) {
            toUpstream.inject(ControlFrames.ping(true), false);
        }
        scheduleKeepalive();
    }
}
