package io.liteboxd.proxy.servlet.internal.websocket.tomcat;

import io.liteboxd.proxy.servlet.internal.websocket.tunnel.RawConnection;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.TunnelRelay;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritePendingException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel's client leg on Tomcat's own socket: an internal upgrade handler, as Tomcat's WebSocket is, so Tomcat
 * hands it the socket wrapper and lets it decide when the connection is read again.
 *
 * <p>That decision is the point. Tomcat's standard upgrade processor re-arms read interest after every event, so a
 * connection whose bytes cannot be relayed yet (the upstream is not taking them) is reported readable again and
 * again. Here every read event ends {@link SocketState#SUSPENDED}: Tomcat arms nothing, and read interest is
 * registered only when the tunnel asks for bytes ({@link #demand()}), that is once the previous ones were written.
 *
 * <p>Writes go through Tomcat's non-blocking write and complete once flushed, on Tomcat's write event when the
 * socket was full.
 */
public final class TomcatLeg implements InternalHttpUpgradeHandler, RawConnection {

    private static final Logger LOG = LoggerFactory.getLogger(TomcatLeg.class);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object writeLock = new Object();

    private volatile TunnelRelay.Leg leg;
    private volatile IdleTimeout idle;
    private volatile SocketWrapperBase<?> socket;
    private volatile boolean demanding;

    // Guarded by writeLock: the write that waits for Tomcat to flush it, and whether the output was shut.
    private Callback pendingWrite;
    private boolean outputShut;

    /** Called by the factory on the request thread, after {@code upgrade} and before Tomcat calls init. */
    void attach(TunnelRelay.Leg leg, Scheduler scheduler) {
        this.leg = leg;
        // Jetty's idle timer, the one the tunnel's endpoints on Jetty run on.
        this.idle = new IdleTimeout(scheduler) {
            @Override
            protected void onIdleExpired(TimeoutException timeout) {
                leg.idleExpired();
            }

            @Override
            public boolean isOpen() {
                return !closed.get();
            }
        };
    }

    @Override
    public void setSocketWrapper(SocketWrapperBase<?> socketWrapper) {
        this.socket = socketWrapper;
    }

    @Override
    public void init(WebConnection connection) {
        leg.opened(this);
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent event) {
        if (closed.get()) {
            return SocketState.CLOSED;
        }
        switch (event) {
            case OPEN_READ -> {
                demanding = false;
                leg.readable();
            }
            case OPEN_WRITE -> {
                writePossible();
                return closed.get() ? SocketState.CLOSED : SocketState.UPGRADED;
            }
            case STOP -> leg.containerStopping();
            default -> {
                // ERROR, DISCONNECT, TIMEOUT, CONNECT_FAIL: the connection is gone; Tomcat closes the socket.
                LOG.debug("{} connection ended by Tomcat: {}", this, event);
                finish();
                return SocketState.CLOSED;
            }
        }
        // Never UPGRADED after a read: Tomcat would arm read interest again whether or not the tunnel can take bytes.
        return closed.get() ? SocketState.CLOSED : SocketState.SUSPENDED;
    }

    @Override
    public void timeoutAsync(long now) {
        // Idleness is the tunnel's own (setIdleTimeout).
    }

    @Override
    public void setSslSupport(SSLSupport sslSupport) {
        // The tunnel has no use for the TLS session.
    }

    @Override
    public void pause() {
        // Open connections are drained by the gateway itself (1001) when its servlet stops.
    }

    @Override
    public void destroy() {
        // Tomcat is done with the connection.
        finish();
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        SocketWrapperBase<?> s = socket;
        if (closed.get() || s.isClosed()) {
            return -1;
        }
        // Tomcat reads at most its own read buffer's capacity at a time: keep reading while each read fills what it
        // asked for, so that a bulk transfer is relayed in one write per buffer rather than one per Tomcat read.
        int cap = s.getSocketBufferHandler().getReadBuffer().capacity();
        int start = BufferUtil.flipToFill(buffer);
        int total = 0;
        try {
            while (buffer.position() < buffer.capacity()) {
                int space = buffer.capacity() - buffer.position();
                // Tomcat's read lowers the limit to what it asked for.
                buffer.limit(buffer.capacity());
                int n;
                try {
                    n = s.read(false, buffer);
                } catch (IOException e) {
                    if (total > 0) {
                        // Relay what came before the failure; the next fill finds it again.
                        return total;
                    }
                    throw e;
                }
                if (n < 0 || n == 0 && s.isClosed()) {
                    // The end after some bytes is found again by the next fill.
                    return total > 0 ? total : -1;
                }
                if (n > 0) {
                    total += n;
                    idle.notIdle();
                }
                if (n < Math.min(space, cap)) {
                    return total;
                }
            }
            return total;
        } finally {
            BufferUtil.flipToFlush(buffer, start);
        }
    }

    @Override
    public void demand() {
        demanding = true;
        SocketWrapperBase<?> s = socket;
        if (closed.get()) {
            demanding = false;
            leg.readable();
            return;
        }
        if (!s.getSocketBufferHandler().isReadBufferEmpty()) {
            // Bytes Tomcat already holds raise no event on the socket: have them read now.
            s.processSocket(SocketEvent.OPEN_READ, true);
        } else {
            s.registerReadInterest();
        }
    }

    @Override
    public boolean isDemanding() {
        return demanding;
    }

    @Override
    public void write(ByteBuffer bytes, Callback done) {
        SocketWrapperBase<?> s = socket;
        try {
            synchronized (writeLock) {
                if (pendingWrite != null) {
                    throw new WritePendingException();
                }
                if (closed.get() || outputShut) {
                    throw new ClosedChannelException();
                }
                // Tomcat copies what the socket does not take at once, so the caller's buffer is free on return.
                s.write(false, bytes);
                if (s.flush(false)) {
                    pendingWrite = done;
                    s.registerWriteInterest();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            done.failed(e);
            return;
        }
        idle.notIdle();
        done.succeeded();
    }

    private void writePossible() {
        Callback done;
        Throwable failure = null;
        synchronized (writeLock) {
            done = pendingWrite;
            if (done == null) {
                return;
            }
            try {
                if (socket.flush(false)) {
                    socket.registerWriteInterest();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            pendingWrite = null;
        }
        if (failure != null) {
            done.failed(failure);
            return;
        }
        idle.notIdle();
        done.succeeded();
    }

    @Override
    public void shutdownOutput() {
        synchronized (writeLock) {
            if (outputShut) {
                return;
            }
            outputShut = true;
        }
        if (closed.get()) {
            return;
        }
        // Shutting down a TLS connection's channel underneath its TLS session would end it without close_notify.
        if (socket.getSocket() instanceof NioChannel channel && !(channel instanceof SecureNioChannel)) {
            try {
                channel.getIOChannel().shutdownOutput();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} could not half-close", this, e);
            }
        }
        // No half-close here (TLS, or not an NIO connector): nothing more may be written, so end the connection.
        close();
    }

    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        // Tomcat's own WebSocket closes from any thread this way; its handler then sees the connection go.
        socket.close();
        finish();
    }

    @Override
    public void setIdleTimeout(long millis) {
        idle.setIdleTimeout(millis);
    }

    /** The connection is gone, whoever closed it: tell the tunnel, once. */
    private void finish() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        idle.onClose();
        Callback waiting;
        synchronized (writeLock) {
            waiting = pendingWrite;
            pendingWrite = null;
        }
        if (waiting != null) {
            waiting.failed(new ClosedChannelException());
        }
        // A pipe waiting for bytes must run once more to see the end.
        demanding = false;
        leg.closed();
    }

    @Override
    public String toString() {
        return "TomcatLeg[" + leg + "]";
    }
}
