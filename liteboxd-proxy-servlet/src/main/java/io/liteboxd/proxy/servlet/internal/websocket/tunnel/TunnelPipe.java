package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a {@link TunnelRelay}: reads one leg, scans what it read in place ({@link FrameScanner}) and
 * writes it to the other leg, one write at a time. The next read starts only when the write completed, so a slow
 * reader on the far side stops reading here after one buffer: TCP backpressure, no queue, no thread held.
 *
 * <p>A read that left free space in the buffer drained the socket: the next one waits for the leg to report it
 * readable rather than try again and find nothing, as nginx does.
 *
 * <p>The only writer of its target leg, so frames of the gateway's own (keepalive pings, close frames) are queued
 * here and go out between relayed frames, never inside one.
 */
final class TunnelPipe extends IteratingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelPipe.class);

    private record Injection(ByteBuffer frame, boolean close) {
    }

    private final TunnelRelay relay;
    final TunnelRelay.Leg from;
    final TunnelRelay.Leg to;
    private final FrameScanner scanner;
    private final ByteBufferPool pool;
    private final ArrayDeque<Injection> injections = new ArrayDeque<>();

    private RetainableByteBuffer buffer;
    /** Bytes in the buffer are unscanned but may hold whole frames: scan before reading again. */
    private boolean rescan;
    /** A close frame went to {@code to} (relayed or our own): nothing more may follow it there. */
    private boolean outputClosed;
    private boolean closeAfterWrite;
    /** No more reading from {@code from}: it ended, failed, or broke the protocol. */
    private boolean inputEnded;
    /** The last read left free space: nothing is read until {@code from} reports it readable (reset by the leg). */
    boolean drained;
    private volatile boolean started;
    /** {@code from} sent a close frame: its end of stream is then the normal end. */
    volatile boolean closeSeen;
    private volatile boolean writing;
    /** The write in flight is a frame of our own, whose completion proves nothing about the peer's liveness. */
    private boolean writingOwnFrame;

    TunnelPipe(TunnelRelay relay, TunnelRelay.Leg from, TunnelRelay.Leg to, FrameScanner scanner, ByteBufferPool pool) {
        this.relay = relay;
        this.from = from;
        this.to = to;
        this.scanner = scanner;
        this.pool = pool;
    }

    /** Bytes of {@code from} read before the tunnel took over; relayed first. */
    void preload(ByteBuffer bytes) {
        if (bytes == null || !bytes.hasRemaining()) {
            return;
        }
        synchronized (this) {
            ByteBuffer b = buffer().getByteBuffer();
            BufferUtil.append(b, bytes);
            rescan = true;
        }
    }

    /** Both legs are open: start relaying. */
    void start() {
        started = true;
        iterate();
    }

    /**
     * Queues a frame of the gateway's own for {@code to}. A ping is dropped when a write is in flight (that write
     * already tests the connection) or another frame is queued.
     *
     * @param close true for a close frame: nothing is relayed to {@code to} after it
     */
    void inject(ByteBuffer frame, boolean close) {
        synchronized (this) {
            if (!close && (writing || !injections.isEmpty())) {
                return;
            }
            injections.add(new Injection(frame, close));
        }
        iterate();
    }

    @Override
    protected Action process() {
        writing = false;
        if (closeAfterWrite) {
            closeAfterWrite = false;
            outputClosed = true;
        }
        if (!started) {
            return Action.IDLE;
        }
        while (true) {
            // A frame of our own waits for a frame boundary: if the sender dies mid-frame, it never goes, and
            // the far side sees the stream end mid-frame (an abnormal close) rather than a corrupted frame.
            Injection injection = nextInjection();
            if (injection != null) {
                if (injection.close()) {
                    closeAfterWrite = true;
                }
                writingOwnFrame = true;
                return write(injection.frame());
            }
            if (inputEnded) {
                // Propagate the end of the stream: the far side sees our FIN after its last frame.
                to.connection.shutdownOutput();
                return Action.SUCCEEDED;
            }
            ByteBuffer b = buffer().getByteBuffer();
            if (!rescan) {
                if (from.connection.isDemanding()) {
                    return Action.IDLE;
                }
                BufferUtil.compact(b);
                int space = BufferUtil.space(b);
                int filled;
                try {
                    filled = drained ? 0 : from.connection.fill(b);
                } catch (IOException e) {
                    LOG.debug("{} reading {} failed", relay, from.side.label(), e);
                    filled = -1;
                }
                if (filled == 0) {
                    if (!b.hasRemaining()) {
                        release();
                    }
                    from.connection.demand();
                    return Action.IDLE;
                }
                if (filled < 0) {
                    inputEnded = true;
                    relay.inputEnded(this);
                    continue;
                }
                drained = filled < space;
                relay.lifecycle.seen(from.side);
            }
            rescan = false;
            FrameScanner.Outcome outcome = scanner.scan(b);
            scanner.countInto(relay.lifecycle.stats(), from.side);
            int start = b.position();
            int end = scanner.forwardTo;
            ByteBuffer out = end > start && !outputClosed ? b.slice(start, end - start) : null;
            b.position(scanner.consumedTo);
            switch (outcome) {
                case OWN_PONG -> rescan = b.hasRemaining();
                case CLOSE -> {
                    // Whatever follows a close frame is not relayed; its sender's EOF ends this direction.
                    b.position(b.limit());
                    if (out != null) {
                        closeAfterWrite = true;
                    }
                    closeSeen = true;
                    relay.lifecycle.closeRelayed(from.side, scanner.closeCode);
                }
                case VIOLATION -> {
                    b.position(b.limit());
                    inputEnded = true;
                    relay.violation(this, scanner.violation);
                }
                default -> {
                }
            }
            if (out != null) {
                return write(out);
            }
        }
    }

    private Injection nextInjection() {
        synchronized (this) {
            if (injections.isEmpty() || !scanner.atFrameBoundary()) {
                return null;
            }
            if (outputClosed) {
                injections.clear();
                return null;
            }
            return injections.poll();
        }
    }

    private Action write(ByteBuffer out) {
        writing = true;
        to.connection.write(out, this);
        return Action.SCHEDULED;
    }

    @Override
    protected void onSuccess() {
        // A peer that takes relayed data is alive even if it never sends (a client tailing a log). Our own pings
        // do not count: a half-open peer's kernel takes them for a long time, and only "nothing received" finds it.
        if (!writingOwnFrame) {
            relay.lifecycle.seen(to.side);
        }
        writingOwnFrame = false;
    }

    @Override
    protected void onCompleteSuccess() {
        release();
        relay.pipeDone();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        LOG.debug("{} writing to {} failed", relay, to.side.label(), cause);
        release();
        // Its target is gone: close it, and the pipe reading it reports the death to the other leg.
        to.terminate();
    }

    private RetainableByteBuffer buffer() {
        if (buffer == null) {
            buffer = pool.acquire(TunnelRelay.BUFFER_SIZE, true);
            BufferUtil.clear(buffer.getByteBuffer());
        }
        return buffer;
    }

    private void release() {
        synchronized (this) {
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public String toString() {
        return relay + " " + from.side.label() + "->" + to.side.label();
    }
}
