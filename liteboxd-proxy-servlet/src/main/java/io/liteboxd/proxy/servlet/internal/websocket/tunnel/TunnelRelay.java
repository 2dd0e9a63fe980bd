package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.CloseCodes;
import io.liteboxd.proxy.servlet.internal.websocket.Relay;
import io.liteboxd.proxy.servlet.internal.websocket.RelayLifecycle;
import io.liteboxd.proxy.servlet.internal.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.internal.websocket.RelayStats;
import io.liteboxd.proxy.servlet.internal.websocket.RelayStats.Side;
import io.liteboxd.proxy.servlet.internal.websocket.UpstreamRequest;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fastest relay: after both handshakes the two TCP connections are joined by two {@link TunnelPipe}s that move
 * the WebSocket byte stream as it arrives, the way nginx does, with no WebSocket session on either leg and no frame
 * decoded or re-encoded. Unlike a blind byte pipe it still follows every frame in place ({@link FrameScanner}), so
 * the gateway keeps its guarantees: protocol violations, invalid UTF-8 and oversized messages are closed with
 * 1002/1007/1009 on both legs, keepalive pings find dead peers, a leg that dies is reported to the other with a close
 * frame, and sessions are counted and logged like the bridge's ({@link RelayLifecycle}).
 *
 * <p>The upstream handshake carries the client's own {@code Sec-WebSocket-Key} (so the upstream's accept value is
 * the client's) and offers no extension: both legs then speak exactly the same framing. Pings and pongs travel end
 * to end, except the pongs answering the gateway's own pings.
 *
 * <p>Both legs are {@link RawConnection}s. The upstream's comes from the HTTP client's upgrade ({@link TunnelDial});
 * the client's from the container, through a {@link Factory} of the container's.
 */
public final class TunnelRelay implements Relay {

    static final int BUFFER_SIZE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRelay.class);

    /**
     * Creates tunnels; a subclass is the container-specific half: which contexts it fits, and how the client's
     * connection is answered 101 and taken over. Subclasses are loaded by name, and their constructor fails on a
     * context that is not theirs (the Jakarta bridge is used then).
     */
    public abstract static class Factory implements Relay.Factory {
        protected final RelaySettings settings;

        protected Factory(RelaySettings settings, ServletContext context) {
            this.settings = settings;
            if (!supports(context)) {
                throw new IllegalStateException(describe() + " does not fit " + context.getServerInfo());
            }
        }

        @Override
        public Relay newRelay(String name, Consumer<Relay> onFinished) {
            return new TunnelRelay(settings, name, onFinished, this);
        }

        /**
         * Answers the client 101 with {@code headers} (the upstream's as the header policy left them, one field per
         * line, and the handshake's own) and makes the client's connection {@code leg}'s {@link RawConnection}.
         */
        protected abstract void upgrade(HttpServletRequest request, HttpServletResponse response, HeaderBlock headers,
                                        Leg leg) throws IOException;

        /**
         * A container's half must upgrade from any thread once the request is asynchronous, so that no worker thread
         * waits while the upstream is dialled: Jetty writes the 101 through its core response, and Tomcat (10.1 and
         * 11) carries out an upgrade asked for on an asynchronous request when the request completes.
         */
        @Override
        public final boolean upgradesFromAnyThread() {
            return true;
        }
    }

    /** One side of the tunnel: its adapter reports the connection's events here; the lifecycle drives it back. */
    public final class Leg implements RelayLifecycle.Leg {
        final Side side;
        volatile RawConnection connection;
        /** The code of the close frame the gateway itself sent this leg, 0 before any. */
        private volatile int ownCloseCode;
        private volatile String ownCloseReason;

        private Leg(Side side) {
            this.side = side;
        }

        private TunnelPipe writer() {
            return this == client ? toClient : toUpstream;
        }

        private TunnelPipe reader() {
            return this == client ? toUpstream : toClient;
        }

        /** Bytes this leg sent before the tunnel took over; relayed first. */
        public void leftover(ByteBuffer bytes) {
            reader().preload(bytes);
        }

        /** The connection is this leg's now; once the client's is too, the tunnel starts. */
        public void opened(RawConnection raw) {
            connection = raw;
            if (this == upstream) {
                return;
            }
            raw.setIdleTimeout(settings.idleTimeout().toMillis());
            upstream.connection.setIdleTimeout(settings.upstreamIdleTimeout().toMillis());
            if (lifecycle.hasEnded(Side.CLIENT) || lifecycle.hasEnded(Side.UPSTREAM)) {
                // The relay was aborted, or the upstream left, while the client was still upgrading. An abort tells
                // the client why (1001 when the gateway drains) rather than letting its connection simply drop.
                ByteBuffer close = abandonedClose;
                if (close == null) {
                    raw.close();
                } else {
                    closeAfter(raw, close);
                }
                return;
            }
            lifecycle.start();
            toUpstream.start();
            toClient.start();
        }

        /** Bytes can be read (or the connection failed). */
        public void readable() {
            TunnelPipe reader = reader();
            reader.drained = false;
            reader.iterate();
        }

        /** The connection is gone. */
        public void closed() {
            // Let the pipe reading it see the end (and tell the other leg), and the one writing to it stop.
            readable();
            lifecycle.ended(side);
        }

        /** The container is stopping and ends this connection: both legs are told 1001, as a drain does. */
        public void containerStopping() {
            LOG.debug("{} {} container stopping, closing", TunnelRelay.this, side.label());
            lifecycle.abort(CloseCodes.GOING_AWAY, "server stopping");
        }

        /** The connection was silent for longer than its idle timeout. */
        public void idleExpired() {
            LOG.debug("{} {} idle for too long, closing", TunnelRelay.this, side.label());
            lifecycle.abort(CloseCodes.GOING_AWAY, side.label() + " idle timeout");
        }

        @Override
        public void ping() {
            writer().inject(ControlFrames.ping(this == upstream), false);
        }

        @Override
        public void close(int code, String reason) {
            if (ownCloseCode == 0) {
                ownCloseReason = reason;
                ownCloseCode = code;
            }
            ByteBuffer frame = ControlFrames.close(code, reason, this == upstream);
            if (client.connection != null) {
                writer().inject(frame, true);
                return;
            }
            // Not upgraded yet (or never will be): no pipe writes to either leg.
            if (this == client) {
                abandonedClose = frame;
                lifecycle.ended(Side.CLIENT);
            } else if (connection == null) {
                lifecycle.ended(Side.UPSTREAM);
            } else {
                closeAfter(connection, frame);
            }
        }

        @Override
        public void terminate() {
            RawConnection raw = connection;
            if (raw != null) {
                raw.close();
            }
        }
    }

    private final RelaySettings settings;
    private final String name;
    private final Factory factory;
    final Leg client = new Leg(Side.CLIENT);
    final Leg upstream = new Leg(Side.UPSTREAM);
    private final TunnelPipe toUpstream;
    private final TunnelPipe toClient;
    final RelayLifecycle lifecycle;
    /** The close frame an abort chose before the client leg was attached: sent to it as soon as it is. */
    private volatile ByteBuffer abandonedClose;
    private volatile String clientKey;

    private TunnelRelay(RelaySettings settings, String name, Consumer<Relay> onFinished, Factory factory) {
        this.settings = settings;
        this.name = name;
        this.factory = factory;
        ByteBufferPool pool = settings.httpClient().getByteBufferPool();
        long max = settings.maxMessageSize();
        this.toUpstream = new TunnelPipe(this, client, upstream, new FrameScanner(true, BUFFER_SIZE, max), pool);
        this.toClient = new TunnelPipe(this, upstream, client, new FrameScanner(false, BUFFER_SIZE, max), pool);
        this.lifecycle = new RelayLifecycle(settings, this, client, upstream, () -> {
            // A pipe that never got to see its end (never started, or waiting on a leg that is gone) frees its buffer.
            toUpstream.abort(new ClosedChannelException());
            toClient.abort(new ClosedChannelException());
            onFinished.accept(this);
        });
    }

    @Override
    public String toString() {
        return "TunnelRelay[" + name + "]";
    }

    @Override
    public CompletableFuture<HeaderBlock> connectUpstream(UpstreamRequest request) {
        clientKey = request.clientKey();
        return TunnelDial.dial(settings.httpClient(), request, upstream);
    }

    @Override
    public void upgradeClient(HttpServletRequest request, HttpServletResponse response, String subprotocol,
                              HeaderBlock responseHeaders) throws IOException {
        responseHeaders.set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Accept", TunnelDial.acceptFor(clientKey));
        if (subprotocol != null && !subprotocol.isEmpty()) {
            responseHeaders.set("Sec-WebSocket-Protocol", subprotocol);
        }
        factory.upgrade(request, response, responseHeaders, client);
    }

    @Override
    public boolean isClientOpen() {
        return client.connection != null;
    }

    @Override
    public RelayStats stats() {
        return lifecycle.stats();
    }

    @Override
    public void abort(int code, String reason) {
        lifecycle.abort(code, reason);
    }

    private static void closeAfter(RawConnection connection, ByteBuffer frame) {
        connection.write(frame, Callback.from(connection::close, failure -> connection.close()));
    }

    /**
     * {@code pipe.from} ended its stream. Without a close frame first, that is a death the other leg is told of,
     * unless the gateway had already sent {@code pipe.from} its own close (an abort): then the other leg gets that
     * code, at once, before this direction's end is passed on. A peer that ends its connection on the gateway's
     * close frame must not turn a drain's 1001 into a 1011, nor leave the other leg with a bare FIN.
     */
    void inputEnded(TunnelPipe pipe) {
        if (pipe.closeSeen) {
            return;
        }
        int ownCode = pipe.from.ownCloseCode;
        if (ownCode != 0) {
            pipe.to.close(ownCode, pipe.from.ownCloseReason);
        } else {
            lifecycle.mirrorClose(pipe.from.side, 1006,
                    pipe.from == upstream ? "upstream closed the connection" : "client went away");
        }
    }

    /**
     * {@code pipe.from} broke the protocol: it gets the violation's code, and so does the other leg if nothing of the
     * offending frame reached it.
     */
    void violation(TunnelPipe pipe, FrameScanner.Violation violation) {
        LOG.debug("{} {} broke the protocol: {}", this, pipe.from.side.label(), violation);
        boolean fromClient = pipe.from == client;
        lifecycle.abort(violation.code(), violation.reason(), fromClient || violation.clean(),
                !fromClient || violation.clean());
    }

    void pipeDone() {
        if (toUpstream.isSucceeded() && toClient.isSucceeded()) {
            // Both streams ended cleanly, FIN propagated both ways: nothing more can cross.
            client.terminate();
            upstream.terminate();
        }
    }
}
