package io.liteboxd.proxy.servlet.internal.http;

import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.servlet.internal.ErrorResponses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of a {@link PooledExchange} through the servlet API, so it works in every container.
 *
 * <p>A small response body of announced length (at most {@link #SMALL_BODY} bytes and half the response buffer) is
 * written into the container's response buffer, which never touches the socket, and sent by {@code complete()}: no
 * write listener, no extra dispatch, and a failure before the end can still become a clean 502. Any other body is
 * written in non-blocking mode (one of announced length in writes of up to {@link #WRITE_SIZE}): when a write leaves
 * the client's output not ready, the connection stops reading until {@link #onWritePossible} resumes it.
 *
 * <p>The request body is read in non-blocking mode too ({@link ReadListener}), as much as is there up to
 * {@link #WRITE_SIZE} bytes at a time, and the next read waits until the upstream has taken the last.
 */
final class ServletExchange extends PooledExchange implements WriteListener, ReadListener, AsyncListener {

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final boolean withBody;

    private AsyncContext async;
    private ServletOutputStream out;
    private ServletInputStream in;
    private boolean nonBlocking;
    private boolean flushPending;
    private byte[] scratch;
    /** Bytes of a body of announced length in {@link #scratch}, waiting for the next write. */
    private int collected;
    private byte[] body;
    /**
     * Whether the request body is being read right now, and whether the exchange must complete once that read ends:
     * the body is read without the exchange's lock, and a completed request may be recycled by the container.
     */
    private final AtomicInteger reading = new AtomicInteger(IDLE);
    private static final int IDLE = 0;
    private static final int READING = 1;
    private static final int COMPLETE_AFTER_READ = 2;
    private static final int COMPLETED = 3;

    ServletExchange(HttpRelay relay, HttpServletRequest request, HttpServletResponse response, Admission admission,
                    HeaderBlock headers, HeaderContext context, long bodyLength) {
        super(relay, admission, request.getMethod(), headers, context, request.getContextPath(), bodyLength);
        this.request = request;
        this.response = response;
        this.withBody = bodyLength != 0;
    }

    void start() throws IOException {
        async = request.startAsync();
        async.setTimeout(0);
        async.addListener(this);
        out = response.getOutputStream();
        if (withBody) {
            // Reading starts once the request head is upstream; the container sends a 100 Continue on the first read.
            in = request.getInputStream();
            in.setReadListener(this);
        }
        sendRequest();
    }

    @Override
    public void onWritePossible() throws IOException {
        synchronized (this) {
            if (done) {
                return;
            }
            if (flushPending) {
                flushPending = false;
                out.flush();
                if (!out.isReady()) {
                    return;
                }
            }
        }
        resumeUpstream();
    }

    @Override
    public void onDataAvailable() {
        bodyAvailable();
    }

    @Override
    public void onAllDataRead() {
        bodyAvailable();
    }

    /** The client's input or output failed: for a {@link ReadListener} and a {@link WriteListener} alike. */
    @Override
    public void onError(Throwable failure) {
        clientFailed(failure);
    }

    @Override
    public void onError(AsyncEvent event) {
        clientFailed(event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onTimeout(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    @Override
    protected ByteBuffer readBody() throws IOException {
        if (!reading.compareAndSet(IDLE, READING)) {
            // Completed: the request is the container's again.
            return null;
        }
        try {
            return read();
        } finally {
            if (!reading.compareAndSet(READING, IDLE)) {
                reading.set(COMPLETED);
                complete();
            }
        }
    }

    private ByteBuffer read() throws IOException {
        if (in.isFinished()) {
            return END;
        }
        if (body == null) {
            body = new byte[WRITE_SIZE];
        }
        int n = 0;
        // As much as is there, up to the buffer: a container hands over a few KiB per read, a write per read is dear.
        while (n < body.length && in.isReady()) {
            int r = in.read(body, n, body.length - n);
            if (r < 0) {
                if (n == 0) {
                    return END;
                }
                break;
            }
            n += r;
            if (in.isFinished()) {
                break;
            }
        }
        return n == 0 ? null : ByteBuffer.wrap(body, 0, n);
    }

    @Override
    protected HeaderBlock requestTrailers() {
        if (!request.isTrailerFieldsReady()) {
            return null;
        }
        HeaderBlock block = new HeaderBlock();
        request.getTrailerFields().forEach(block::add);
        return block;
    }

    @Override
    protected void setStatus(int code) {
        response.setStatus(code);
    }

    @Override
    protected void addHeader(String name, String value) {
        response.addHeader(name, value);
    }

    @Override
    protected int gatherLimit() {
        return Math.min(SMALL_BODY, response.getBufferSize() / 2);
    }

    @Override
    protected void enableTrailers() {
        response.setTrailerFields(this::trailerFields);
    }

    @Override
    protected boolean headComplete(boolean gathered) {
        if (gathered) {
            return false;
        }
        // The body is written in non-blocking mode, from the first onWritePossible on.
        nonBlocking = true;
        waiting = true;
        out.setWriteListener(this);
        return true;
    }

    @Override
    protected boolean writeContent(ByteBuffer content) throws IOException {
        int n = content.remaining();
        boolean collecting = nonBlocking && !streamed;
        // The previous chunk's write has completed (we were resumed, or it was ready), so the array is free.
        if (scratch == null) {
            scratch = new byte[Math.max(n, collecting ? WRITE_SIZE : 1024)];
        } else if (scratch.length < collected + n) {
            // A read larger than usual (a pool may hand the connection a bigger buffer): the collected bytes stay.
            scratch = Arrays.copyOf(scratch, collected + n);
        }
        content.get(scratch, collected, n);
        if (!nonBlocking) {
            // At most SMALL_BODY bytes in all, below the response buffer: copied there, no I/O.
            out.write(scratch, 0, n);
            return false;
        }
        if (collecting) {
            // A body of announced length goes out in writes of several upstream reads: each non-blocking write
            // costs the container a readiness check and, when the socket is full, a dispatch to onWritePossible.
            collected += n;
            // The last piece goes out at once, so the response ends as any write does: when the client is ready.
            if (scratch.length - collected >= UPSTREAM_READ_SIZE && !bodyComplete()) {
                return false;
            }
            n = collected;
            collected = 0;
        }
        // Set before asking: once isReady() says false the container may call onWritePossible at any moment.
        waiting = true;
        out.write(scratch, 0, n);
        if (streamed) {
            if (!out.isReady()) {
                flushPending = true;
                scratch = null;
                return true;
            }
            out.flush();
        }
        if (out.isReady()) {
            waiting = false;
            return false;
        }
        // The container may still hold the array: the next chunk gets a new one.
        scratch = null;
        return true;
    }

    @Override
    protected void endResponse() {
        completeQuietly();
    }

    @Override
    protected boolean isCommitted() {
        return response.isCommitted();
    }

    @Override
    protected void endWithError(ProxyException error) {
        try {
            // Whatever of the upstream's head was taken goes; the connection closes, the request body may be unread.
            response.reset();
        } catch (IllegalStateException e) {
            abort();
        }
        if (!ErrorResponses.send(response, error, true, nonBlocking)) {
            abort();
        }
        completeQuietly();
    }

    @Override
    protected void endAborted(Throwable cause) {
        // Not Jetty: the servlet throws on a dispatch, and the container closes the connection.
        if (abort() || !HttpRelay.dispatchCutOff(request, cause)) {
            completeQuietly();
        }
    }

    @Override
    protected void endClientGone(Throwable failure) {
        completeQuietly();
    }

    /** Whether the container aborted the response: Jetty does on -1; the others refuse it once committed. */
    private boolean abort() {
        try {
            response.sendError(-1);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Completes the async cycle now, or as soon as a read of the request body in progress ends. */
    private void completeQuietly() {
        for (int state; (state = reading.get()) == IDLE || state == READING; ) {
            if (reading.compareAndSet(state, state == IDLE ? COMPLETED : COMPLETE_AFTER_READ)) {
                if (state == IDLE) {
                    complete();
                }
                return;
            }
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container after a client failure.
        }
    }
}
