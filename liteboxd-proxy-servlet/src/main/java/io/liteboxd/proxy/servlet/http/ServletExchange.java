package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.error.ErrorBody;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client side of a {@link PooledExchange} through the servlet API, so it works in every container.
 *
 * <p>A small body of announced length (at most {@link #SMALL_BODY} bytes and half the response buffer) is written
 * into the container's response buffer, which never touches the socket, and sent by {@code complete()}: no write
 * listener, no extra dispatch, and a failure before the end can still become a clean 502. Any other body is written
 * in non-blocking mode: when a write leaves the client's output not ready, the connection stops reading until
 * {@link #onWritePossible} resumes it.
 */
final class ServletExchange extends PooledExchange implements WriteListener, AsyncListener {

    private final HttpServletRequest request;
    private final HttpServletResponse response;

    private AsyncContext async;
    private ServletOutputStream out;
    private boolean nonBlocking;
    private boolean flushPending;
    private byte[] scratch;

    ServletExchange(PooledRelay relay, HttpServletRequest request, HttpServletResponse response, Admission admission,
                    UpstreamConnections.Origin origin, byte[] head, HeaderContext context) {
        super(relay, admission, origin, head, request.getMethod(), context);
        this.request = request;
        this.response = response;
    }

    void start() throws IOException {
        async = request.startAsync();
        async.setTimeout(0);
        async.addListener(this);
        out = response.getOutputStream();
        synchronized (this) {
            dispatch(false);
        }
    }

    // ---- container side ----

    @Override
    public void onWritePossible() throws IOException {
        UpstreamConnection resume = null;
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
            resume = stopWaiting();
        }
        if (resume != null) {
            resume.resume();
        }
    }

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

    // ---- the response ----

    @Override
    void setStatus(int code) {
        response.setStatus(code);
    }

    @Override
    void addHeader(String name, String value) {
        response.addHeader(name, value);
    }

    @Override
    boolean setsOwnLength() {
        // A gathered body sits in the response buffer and the container sets its length when complete() sends it.
        return true;
    }

    @Override
    int gatherLimit() {
        return Math.min(SMALL_BODY, response.getBufferSize() / 2);
    }

    @Override
    boolean http11() {
        return "HTTP/1.1".equals(request.getProtocol());
    }

    @Override
    void enableTrailers() {
        response.setTrailerFields(this::trailerFields);
    }

    @Override
    void addGatewayCookie() {
        HttpRelay.addGatewayCookie(request, response, admission);
    }

    @Override
    boolean headComplete(boolean gathered) {
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
    boolean writeContent(ByteBuffer content) throws IOException {
        int n = content.remaining();
        if (!nonBlocking) {
            // At most SMALL_BODY bytes in all, below the response buffer: copied there, no I/O.
            if (scratch == null || scratch.length < n) {
                scratch = new byte[Math.max(n, 1024)];
            }
            content.get(scratch, 0, n);
            out.write(scratch, 0, n);
            return false;
        }
        // The previous chunk's write has completed (we were resumed, or it was ready), so the array is free.
        if (scratch == null || scratch.length < n) {
            scratch = new byte[Math.max(n, 1024)];
        }
        content.get(scratch, 0, n);
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
    void endResponse() {
        completeQuietly();
    }

    @Override
    boolean isCommitted() {
        return response.isCommitted();
    }

    @Override
    void endWithError(int errorStatus) {
        byte[] body = errorBody(errorStatus);
        try {
            response.reset();
            response.setStatus(errorStatus);
            response.setHeader("Connection", "close");
            response.setContentType(ErrorBody.CONTENT_TYPE);
            response.setContentLength(body.length);
            // In non-blocking mode a write is allowed only when ready; the status and length still tell the client.
            if (!nonBlocking || out.isReady()) {
                out.write(body);
            }
        } catch (IOException | IllegalStateException e) {
            abort();
        }
        completeQuietly();
    }

    @Override
    void endAborted(Throwable cause) {
        if (abort()) {
            completeQuietly();
            return;
        }
        // Not Jetty: the servlet throws on a dispatch, and the container closes the connection.
        if (!HttpRelay.dispatchCutOff(request, cause)) {
            completeQuietly();
        }
    }

    @Override
    void endClientGone(Throwable failure) {
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

    private void completeQuietly() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container after a client failure.
        }
    }
}
