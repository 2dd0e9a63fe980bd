package io.liteboxd.proxy.servlet.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP/1.1 connection to an upstream, serving one {@link PooledExchange} at a time: it writes the exchange's
 * request head (and, as the exchange hands it over, its body) and feeds the response, parsed by Jetty's
 * {@link HttpParser}, to the exchange as it arrives. Reading and writing are independent, so an upstream may answer
 * before it has taken the whole body.
 *
 * <p>Reading stops while the exchange waits for the client to take what it was given (the exchange calls
 * {@link #resume()} when it can take more), so a slow client holds back the upstream through TCP instead of filling
 * the heap. Non-blocking throughout ({@link AbstractConnection.NonBlocking}): Jetty runs it on its selector threads,
 * and nothing here waits.
 */
final class UpstreamConnection extends AbstractConnection.NonBlocking implements HttpParser.ResponseHandler {

    /** Most bytes one read takes from the upstream, so most bytes a content callback carries. */
    static final int BUFFER_SIZE = 16 * 1024;

    private enum State { BUSY, PARKED, CLOSED }

    private final UpstreamConnections pool;
    private final UpstreamConnections.Origin origin;
    private final ByteBufferPool buffers;
    private final HttpParser parser;
    /** New connections are handed straight to an exchange, so they start busy. */
    private final AtomicReference<State> state = new AtomicReference<>(State.BUSY);
    /** Serialises {@link #process()}: reads, parsing and the exchange callbacks never run on two threads at once. */
    private final AtomicInteger iterations = new AtomicInteger();
    private volatile PooledExchange exchange;
    private RetainableByteBuffer buffer;
    private boolean used;
    /** The exchange's body is still being written: the connection cannot carry another request after this one. */
    private volatile boolean requestOpen;
    // Per exchange, written only inside process():
    private volatile boolean responseStarted;
    private boolean interim;
    private boolean messageComplete;
    private boolean keepAlive;
    private Throwable failure;

    UpstreamConnection(EndPoint endPoint, Executor executor, UpstreamConnections pool,
                       UpstreamConnections.Origin origin, ByteBufferPool buffers, int maxResponseHeaderBytes) {
        super(endPoint, executor);
        this.pool = pool;
        this.origin = origin;
        this.buffers = buffers;
        this.parser = new HttpParser(this, maxResponseHeaderBytes);
    }

    UpstreamConnections.Origin origin() {
        return origin;
    }

    /** Takes a parked connection for one exchange; false if it closed meanwhile. */
    boolean claim() {
        return state.compareAndSet(State.PARKED, State.BUSY);
    }

    /**
     * Starts {@code next} on this (claimed) connection: writes its request head; the answer reaches the exchange
     * through its callbacks.
     *
     * @param withBody the exchange writes a body next ({@link #write}), from {@code headWritten} on
     */
    void send(PooledExchange next, ByteBuffer head, boolean headRequest, boolean withBody, Runnable headWritten) {
        responseStarted = false;
        interim = false;
        messageComplete = false;
        keepAlive = true;
        failure = null;
        parser.reset();
        parser.setHeadResponse(headRequest);
        requestOpen = withBody;
        this.exchange = next;
        try {
            getEndPoint().write(Callback.from(headWritten, this::writeFailed), head);
        } catch (RuntimeException e) {
            // An endpoint closed under a just-claimed connection refuses the write outright (WritePendingException
            // from its failed flusher) instead of failing the callback: the same outcome, a failure before any answer.
            writeFailed(e);
        }
    }

    /** Writes part of the request body; the exchange writes the next part only once {@code written} completes. */
    void write(Callback written, ByteBuffer... bytes) {
        try {
            getEndPoint().write(written, bytes);
        } catch (RuntimeException e) {
            written.failed(e);
        }
    }

    /** The whole request body is written: the connection may carry another request once the answer is complete. */
    void requestSent() {
        requestOpen = false;
    }

    boolean answering() {
        return responseStarted;
    }

    private void writeFailed(Throwable cause) {
        PooledExchange current = exchange;
        if (current != null) {
            // Nothing of the answer can have arrived before the request was written.
            finish(current, cause, true);
        }
        close();
    }

    @Override
    public void onOpen() {
        super.onOpen();
        fillInterested();
    }

    @Override
    public void onFillable() {
        process();
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        // The endpoint failed or closed while we waited for bytes: the next read finds out how.
        process();
    }

    /** Called by the exchange when the client has taken what it was given and can take more. */
    void resume() {
        process();
    }

    private void process() {
        if (iterations.getAndIncrement() != 0) {
            return;
        }
        do {
            step();
        } while (iterations.decrementAndGet() != 0);
    }

    /** Parses what is buffered and reads more, until the exchange waits, the socket has nothing, or it ends. */
    private void step() {
        while (true) {
            if (state.get() == State.CLOSED) {
                releaseBuffer();
                return;
            }
            PooledExchange current = exchange;
            if (current == null || state.get() != State.BUSY) {
                probeIdle();
                return;
            }
            if (current.waiting) {
                return;
            }
            if (buffer != null && buffer.hasRemaining()) {
                ByteBuffer bytes = buffer.getByteBuffer();
                int before = bytes.remaining();
                boolean paused = parse(bytes);
                if (!paused && bytes.remaining() == before && !interim && !messageComplete && failure == null) {
                    // The parser took nothing and asked for nothing: it is past the end of a message it finished.
                    failure = new IOException("upstream sent bytes after its response");
                }
                if (interim) {
                    // 100 Continue, 102, 103 Early Hints: the final answer follows on the same connection.
                    interim = false;
                    responseStarted = false;
                    parser.reset();
                    continue;
                }
                if (messageComplete || failure != null) {
                    end(current);
                    return;
                }
                continue;
            }
            if (parser.isState(HttpParser.State.CONTENT)) {
                // A body of announced length ends with its last byte, but the parser notices only on its next call:
                // when the call that delivered that byte was paused by a busy client, no further byte will come to
                // make one, so it is made here, with nothing.
                parse(BufferUtil.EMPTY_BUFFER);
                if (messageComplete || failure != null) {
                    end(current);
                    return;
                }
            }
            int filled = fill();
            if (filled > 0) {
                continue;
            }
            if (filled == 0) {
                releaseBufferIfEmpty();
                readInterest();
                return;
            }
            // End of stream: a body delimited by the close completes here; anything else was cut off.
            parser.atEOF();
            parse(BufferUtil.EMPTY_BUFFER);
            if (!messageComplete && failure == null) {
                failure = new EOFException("upstream closed the connection"
                        + (responseStarted ? " in the middle of its response" : " before answering"));
            }
            keepAlive = false;
            end(current);
            return;
        }
    }

    /**
     * The parser's verdict on {@code bytes}; a failure of the parser itself fails the response instead of escaping.
     * With assertions on, Jetty's parser fails an assertion while building its own "header too large" exception on
     * the response side, and an escaping error would leave the exchange waiting for bytes that never come.
     */
    private boolean parse(ByteBuffer bytes) {
        try {
            return parser.parseNext(bytes);
        } catch (RuntimeException | AssertionError e) {
            if (failure == null) {
                failure = new IOException("upstream sent a response the parser refused: " + e, e);
            }
            parser.close();
            return false;
        }
    }

    /** Asks to be called when bytes arrive, unless already asked (parking and reading may both ask). */
    private void readInterest() {
        if (!isFillInterested()) {
            fillInterested();
        }
    }

    /** Reads into the buffer; -1 at end of stream or on a read error. */
    private int fill() {
        if (buffer == null) {
            buffer = buffers.acquire(BUFFER_SIZE, true);
        }
        ByteBuffer b = buffer.getByteBuffer();
        try {
            if (!b.hasRemaining()) {
                b.clear().limit(0);
            }
            return getEndPoint().fill(b);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            return -1;
        }
    }

    private void releaseBufferIfEmpty() {
        if (buffer != null && !buffer.hasRemaining()) {
            releaseBuffer();
        }
    }

    private void releaseBuffer() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    /** The exchange's answer is complete or broke off: hand the outcome over, then park or close the connection. */
    private void end(PooledExchange current) {
        boolean reusable = failure == null && keepAlive && !parser.isClose() && !requestOpen
                && (buffer == null || !buffer.hasRemaining());
        Throwable cause = failure;
        boolean answered = responseStarted;
        exchange = null;
        releaseBufferIfEmpty();
        if (reusable) {
            used = true;
            parser.reset();
            state.set(State.PARKED);
            pool.park(this);
            // Keep reading while parked: an upstream that closes the connection is noticed at once.
            readInterest();
        } else {
            close();
        }
        finish(current, cause, !answered);
    }

    private void finish(PooledExchange current, Throwable cause, boolean beforeAnswer) {
        if (cause == null) {
            current.upstreamComplete(this);
        } else {
            current.upstreamFailed(this, cause, beforeAnswer && used);
        }
    }

    /** Parked, or between exchanges: any byte or end of stream means the connection is of no further use. */
    private void probeIdle() {
        if (state.get() == State.CLOSED) {
            return;
        }
        int filled = fill();
        if (filled == 0) {
            releaseBufferIfEmpty();
            readInterest();
            return;
        }
        // Unsolicited bytes or the upstream's close: either way it cannot carry another request. Marked closed
        // first so that no exchange claims it from now on; if one claimed it just before, that exchange hears of it
        // from onClose or from its write, and may retry elsewhere.
        state.compareAndSet(State.PARKED, State.CLOSED);
        close();
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        PooledExchange current = exchange;
        exchange = null;
        if (current != null && state.get() == State.BUSY) {
            // Stalled for the request timeout: 504 if the client has seen nothing yet.
            current.upstreamFailed(this, timeout, false);
        }
        // Closed here, parked or busy: Jetty would only fail the read interest, which process() takes back.
        close();
        return true;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        state.set(State.CLOSED);
        pool.closed(this);
        PooledExchange current = exchange;
        exchange = null;
        if (current != null) {
            current.upstreamFailed(this, cause != null ? cause : new EOFException("upstream connection closed"),
                    !responseStarted && used);
        }
        // The buffer is released by process(), the only place that touches it, which may be running right now.
        process();
    }

    // ---- HttpParser.ResponseHandler: called from parseNext inside process() ----

    @Override
    public void startResponse(HttpVersion version, int status, String reason) {
        responseStarted = true;
        if (version != HttpVersion.HTTP_1_1) {
            keepAlive = false;
        }
        PooledExchange current = exchange;
        if (status >= 100 && status < 200 && status != 101) {
            interim = true;
            return;
        }
        if (current != null) {
            current.responseStatus(status);
        }
    }

    @Override
    public void parsedHeader(HttpField field) {
        if (interim) {
            return;
        }
        if (field.getHeader() == HttpHeader.CONNECTION && field.contains("close")) {
            keepAlive = false;
        }
        PooledExchange current = exchange;
        if (current != null) {
            current.responseHeader(field);
        }
    }

    @Override
    public boolean headerComplete() {
        if (interim) {
            return false;
        }
        PooledExchange current = exchange;
        if (current != null) {
            try {
                // True: the body waits for the client's first onWritePossible.
                return current.responseHeadersComplete();
            } catch (RuntimeException e) {
                failure = e;
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean content(ByteBuffer content) {
        PooledExchange current = exchange;
        if (current == null) {
            return true;
        }
        try {
            // True: the client is busy with it, stop parsing until resume().
            return current.responseContent(content);
        } catch (IOException | RuntimeException e) {
            failure = e;
            return true;
        }
    }

    @Override
    public void parsedTrailer(HttpField field) {
        PooledExchange current = exchange;
        if (current != null) {
            current.responseTrailer(field);
        }
    }

    @Override
    public boolean contentComplete() {
        return false;
    }

    @Override
    public boolean messageComplete() {
        messageComplete = !interim;
        return true;
    }

    @Override
    public void earlyEOF() {
        if (failure == null) {
            failure = new EOFException("upstream closed the connection in the middle of its response");
        }
    }

    @Override
    public void badMessage(HttpException cause) {
        if (failure == null) {
            failure = new IOException("upstream sent a malformed response: " + cause.getReason());
        }
    }
}
