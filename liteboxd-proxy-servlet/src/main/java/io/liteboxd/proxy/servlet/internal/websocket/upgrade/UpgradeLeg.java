package io.liteboxd.proxy.servlet.internal.websocket.upgrade;

import io.liteboxd.proxy.servlet.internal.websocket.tunnel.RawConnection;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.TunnelRelay;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel's client leg on a connection handed over by the Servlet API's protocol upgrade
 * ({@code HttpServletRequest.upgrade}): the container answers the 101, then calls {@link #init} with the raw
 * connection's non-blocking streams. Reads happen only when the stream says it is ready, writes complete when the
 * container says it can take more, so no thread ever waits on this connection.
 *
 * <p>The container creates this class itself (public, no-argument constructor); the factory then
 * {@link #attach attaches} the tunnel's leg before {@link #init} runs.
 */
public final class UpgradeLeg implements HttpUpgradeHandler, RawConnection, ReadListener, WriteListener {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeLeg.class);

    // Read demand: the pipe asked to be told of bytes, or the container told of bytes nobody asked for yet. The two
    // can cross on different threads; whichever comes second wakes the pipe.
    private static final int NO_DEMAND = 0;
    private static final int DEMANDING = 1;
    private static final int SIGNALLED = 2;

    /** A write is being handed to the container and has not yet asked whether it may complete. */
    private static final Object WRITING = new Object();
    /** The container said "writable" while a write was being handed over: ask it again. */
    private static final Object POSSIBLE = new Object();

    private final AtomicInteger demand = new AtomicInteger();
    /** Null when no write is in flight, {@link #WRITING}, {@link #POSSIBLE}, or the {@link Callback} that waits. */
    private final AtomicReference<Object> write = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile TunnelRelay.Leg leg;
    private volatile Scheduler scheduler;
    private volatile WebConnection connection;
    private volatile ServletInputStream in;
    private volatile ServletOutputStream out;
    private volatile Throwable failure;
    private volatile boolean outputShut;
    private volatile long idleTimeoutNanos;
    private volatile long lastActivity = System.nanoTime();
    private volatile Scheduler.Task idleCheck;
    /** Tomcat's socket wrapper, or null elsewhere; see {@link #findContainerSocket}. */
    private volatile Object containerSocket;
    /** The lock Tomcat holds while it runs an event of this connection, or null elsewhere. */
    private volatile Lock containerLock;

    /** For the container, which instantiates upgrade handlers itself. */
    public UpgradeLeg() {
    }

    /** Called by the factory on the request thread, after {@code upgrade} and before the container calls init. */
    void attach(TunnelRelay.Leg leg, Scheduler scheduler) {
        this.leg = leg;
        this.scheduler = scheduler;
    }

    // ---- HttpUpgradeHandler ------------------------------------------------------------------------------------

    @Override
    public void init(WebConnection webConnection) {
        connection = webConnection;
        if (leg == null) {
            // Never attached (the upgrade failed half-way in the factory): nothing to relay.
            closeQuietly();
            return;
        }
        try {
            in = webConnection.getInputStream();
            out = webConnection.getOutputStream();
            findContainerSocket(in);
            out.setWriteListener(this);
            in.setReadListener(this);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} could not switch the upgraded connection to non-blocking mode", leg, e);
            failure = e;
            close();
            return;
        }
        leg.opened(this);
    }

    @Override
    public void destroy() {
        // The container is done with the connection (closed by either side, or the container stops).
        if (closed.compareAndSet(false, true)) {
            failure = failure != null ? failure : new ClosedChannelException();
            finish();
        }
    }

    // ---- RawConnection -----------------------------------------------------------------------------------------

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        // Only the pipe reading this leg calls this, one call at a time; the container's lock keeps its own read
        // event (which fills the same socket buffer before it calls onDataAvailable) from running meanwhile.
        Lock lock = containerLock;
        if (lock != null) {
            lock.lock();
        }
        try {
            if (closed.get()) {
                return -1;
            }
            Throwable failed = failure;
            if (failed != null) {
                throw failed instanceof IOException io ? io : new IOException(failed);
            }
            if (!in.isReady()) {
                return in.isFinished() ? -1 : 0;
            }
            int limit = buffer.limit();
            int space = buffer.capacity() - limit;
            if (space == 0) {
                return 0;
            }
            int n = in.read(buffer.array(), buffer.arrayOffset() + limit, space);
            if (n > 0) {
                buffer.limit(limit + n);
                lastActivity = System.nanoTime();
            }
            return n;
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    @Override
    public void demand() {
        while (true) {
            int state = demand.get();
            if (state == SIGNALLED) {
                if (demand.compareAndSet(SIGNALLED, NO_DEMAND)) {
                    leg.readable();
                    return;
                }
            } else if (demand.compareAndSet(state, DEMANDING)) {
                return;
            }
        }
    }

    @Override
    public boolean isDemanding() {
        return demand.get() == DEMANDING;
    }

    @Override
    public void write(ByteBuffer bytes, Callback done) {
        if (closed.get() || outputShut) {
            done.failed(new ClosedChannelException());
            return;
        }
        if (!write.compareAndSet(null, WRITING)) {
            done.failed(new IllegalStateException("a write is already in flight"));
            return;
        }
        try {
            int length = bytes.remaining();
            if (bytes.hasArray()) {
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
            } else {
                byte[] copy = new byte[length];
                bytes.duplicate().get(copy);
                out.write(copy, 0, length);
            }
            bytes.position(bytes.limit());
            // Bytes the container took may still sit in its buffer: push them out while the socket can take them;
            // otherwise its own write event flushes them before it says "writable" again.
            if (out.isReady()) {
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            write.set(null);
            done.failed(e);
            return;
        }
        while (true) {
            if (out.isReady()) {
                write.set(null);
                lastActivity = System.nanoTime();
                done.succeeded();
                return;
            }
            if (closed.get() || failure != null) {
                write.set(null);
                done.failed(failure != null ? failure : new ClosedChannelException());
                return;
            }
            if (write.compareAndSet(WRITING, done)) {
                return;
            }
            // The container said "writable" meanwhile; ask again.
            write.set(WRITING);
        }
    }

    @Override
    public void shutdownOutput() {
        // The Servlet API has no half-close: ending the output stream is the nearest. The connection itself closes
        // when the tunnel closes both legs.
        if (!outputShut && out != null) {
            outputShut = true;
            if (write.get() == null) {
                try {
                    out.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("{} closing the output failed", leg, e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly();
        finish();
    }

    @Override
    public void setIdleTimeout(long millis) {
        idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lastActivity = System.nanoTime();
        scheduleIdleCheck(millis);
    }

    // ---- ReadListener / WriteListener --------------------------------------------------------------------------

    @Override
    public void onDataAvailable() {
        signalReadable();
    }

    @Override
    public void onAllDataRead() {
        signalReadable();
    }

    @Override
    public void onWritePossible() {
        while (true) {
            Object state = write.get();
            if (state == WRITING) {
                if (write.compareAndSet(WRITING, POSSIBLE)) {
                    return;
                }
            } else if (state instanceof Callback waiting) {
                if (write.compareAndSet(waiting, null)) {
                    lastActivity = System.nanoTime();
                    waiting.succeeded();
                    return;
                }
            } else {
                // Nothing waits (the first call after registration, or a write that completed at once).
                return;
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        LOG.debug("{} connection failed", leg, t);
        failure = t;
        failWaitingWrite(t);
        // The pipe reading this leg finds the failure on its next read and reports the leg's death.
        signalReadable();
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private void signalReadable() {
        while (true) {
            int state = demand.get();
            if (state == DEMANDING) {
                if (demand.compareAndSet(DEMANDING, NO_DEMAND)) {
                    leg.readable();
                    return;
                }
            } else if (demand.compareAndSet(state, SIGNALLED)) {
                return;
            }
        }
    }

    private void failWaitingWrite(Throwable t) {
        Object state = write.get();
        if (state instanceof Callback waiting && write.compareAndSet(waiting, null)) {
            waiting.failed(t);
        }
    }

    private void finish() {
        Scheduler.Task task = idleCheck;
        if (task != null) {
            task.cancel();
        }
        failWaitingWrite(new ClosedChannelException());
        TunnelRelay.Leg l = leg;
        if (l != null) {
            l.closed();
        }
    }

    private void closeQuietly() {
        WebConnection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("{} closing the connection failed", leg, e);
        }
        Object socket = containerSocket;
        if (socket != null) {
            // Closing both streams ends the connection on Tomcat only when it next hears from the socket, and a
            // client that waits for the server to close first (as RFC 6455 asks) never speaks again. The socket
            // wrapper's public close(), the one Tomcat's own WebSocket uses, ends it now.
            try {
                socket.getClass().getMethod("close").invoke(socket);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("{} could not close the container's socket", leg, e);
            }
        }
    }

    /**
     * Tomcat re-arms read interest after every event of an upgraded connection and, on each, fills the socket
     * buffer before calling {@code onDataAvailable}; a read from another thread (the pipe resuming once the upstream
     * took the previous bytes) must therefore hold the lock Tomcat holds while it runs an event. Its socket wrapper
     * also closes the connection at once ({@link #closeQuietly}). Both are found by name from the stream, so no
     * Tomcat type is linked; on another container nothing is found and neither is used.
     */
    private void findContainerSocket(Object stream) {
        for (Class<?> type = stream.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField("socketWrapper");
                field.setAccessible(true);
                Object socket = field.get(stream);
                if (socket != null) {
                    containerLock = (Lock) socket.getClass().getMethod("getLock").invoke(socket);
                    containerSocket = socket;
                }
                return;
            } catch (NoSuchFieldException e) {
                // Declared by a superclass, if at all.
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("{} could not find the container's socket", leg, e);
                return;
            }
        }
    }

    /** The Servlet API cannot end only the output of an upgraded connection (no TCP half-close). */
    @Override
    public boolean canHalfClose() {
        return false;
    }

    private void scheduleIdleCheck(long millis) {
        Scheduler s = scheduler;
        Scheduler.Task previous = idleCheck;
        if (previous != null) {
            previous.cancel();
        }
        if (s == null || millis <= 0 || closed.get()) {
            return;
        }
        idleCheck = s.schedule(this::checkIdle, millis, TimeUnit.MILLISECONDS);
    }

    private void checkIdle() {
        if (closed.get()) {
            return;
        }
        long silent = System.nanoTime() - lastActivity;
        long timeout = idleTimeoutNanos;
        if (silent >= timeout) {
            leg.idleExpired();
            return;
        }
        Scheduler s = scheduler;
        idleCheck = s.schedule(this::checkIdle, timeout - silent, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "UpgradeLeg[" + leg + "]";
    }
}
