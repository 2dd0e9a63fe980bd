package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.error.ErrorBody;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.header.HeaderPolicy;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;

/**
 * One client request relayed by the {@link PooledRelay}: the servlet side of it.
 *
 * <p>The request goes upstream from {@code service}; the upstream connection delivers the response through
 * {@code response*} calls. A small body of announced length (at most {@link #SMALL_BODY} bytes and half the
 * response buffer) is written into the container's response buffer, which never touches the socket, and sent by
 * {@code complete()}: no write listener, no extra dispatch, and a failure before the end can still become a clean
 * 502. Any other body is written in non-blocking mode: when a write leaves the client's output not ready, the
 * connection stops reading until {@link #onWritePossible} resumes it, so the upstream is held back by the client's
 * pace. Every servlet-side action happens under this object's lock, so the container's callbacks and the
 * connection's never interleave on the response.
 */
final class PooledExchange implements WriteListener, AsyncListener {

    /** What Jetty's proxy treats as hop-by-hop in either direction; the request side is in {@link RequestHead}. */
    private static final Set<HttpHeader> HOP_BY_HOP = EnumSet.of(HttpHeader.CONNECTION, HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_AUTHORIZATION, HttpHeader.PROXY_AUTHENTICATE, HttpHeader.PROXY_CONNECTION,
            HttpHeader.TRANSFER_ENCODING, HttpHeader.TE, HttpHeader.TRAILER, HttpHeader.UPGRADE);

    /** Largest body written through the response buffer instead of non-blocking writes. */
    static final int SMALL_BODY = 4096;

    private final PooledRelay relay;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Admission admission;
    private final UpstreamConnections.Origin origin;
    private final byte[] head;
    private final boolean headRequest;
    private final boolean idempotent;
    private final String requestId;
    private final String mount;
    private final String method;
    private final long startNanos = System.nanoTime();

    private AsyncContext async;
    private ServletOutputStream out;
    /** The connection serving this exchange now; callbacks from any other (a failed first try) are ignored. */
    private UpstreamConnection connection;
    private boolean nonBlocking;
    private boolean retried;
    private boolean done;
    private boolean flushPending;
    /** True from a write that left the output not ready until the container's next onWritePossible. */
    private volatile boolean waiting;

    private int status;
    private final List<HttpField> headers = new ArrayList<>(16);
    private List<HttpField> trailers;
    private boolean streamed;
    private byte[] scratch;
    private long responseBytes;

    PooledExchange(PooledRelay relay, HttpServletRequest request, HttpServletResponse response, Admission admission,
                   UpstreamConnections.Origin origin, byte[] head, String requestId, String mount) {
        this.relay = relay;
        this.request = request;
        this.response = response;
        this.admission = admission;
        this.origin = origin;
        this.head = head;
        this.requestId = requestId;
        this.mount = mount;
        this.method = request.getMethod();
        this.headRequest = "HEAD".equals(method);
        // Safe to send twice when a kept-alive connection turns out to be closed before it answered (RFC 9110 9.2.2);
        // these carry no body here, so nothing else needs replaying.
        this.idempotent = headRequest || "GET".equals(method) || "OPTIONS".equals(method)
                || "TRACE".equals(method);
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
            if (waiting) {
                waiting = false;
                resume = connection;
            }
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

    private void clientFailed(Throwable failure) {
        UpstreamConnection c;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            c = connection;
            connection = null;
            completeQuietly();
        }
        if (c != null) {
            // Mid-response: the rest of it has nowhere to go, and the connection cannot be reused half-read.
            c.close();
        }
        report(-1, "client_gone");
    }

    // ---- upstream side ----

    /** Gets a connection (parked, or a new one) and sends the request on it. Called under the lock. */
    private void dispatch(boolean fresh) {
        UpstreamConnections pool = relay.connections();
        UpstreamConnection parked = fresh ? null : pool.claimParked(origin);
        if (parked != null) {
            attach(parked);
            return;
        }
        pool.connect(origin, Promise.from(this::attach, this::connectFailed));
    }

    private void attach(UpstreamConnection c) {
        synchronized (this) {
            if (done) {
                c.close();
                return;
            }
            connection = c;
        }
        c.send(this, ByteBuffer.wrap(head), headRequest);
    }

    private void connectFailed(Throwable cause) {
        fail(null, 502, cause);
    }

    /** Whether the client's output is busy with the last chunk: the connection stops reading until resumed. */
    boolean waitingForClient() {
        return waiting;
    }

    void responseStatus(int code) {
        this.status = code;
        headers.clear();
    }

    void responseHeader(HttpField field) {
        headers.add(field);
    }

    void responseTrailer(HttpField field) {
        synchronized (this) {
            if (trailers == null) {
                trailers = new ArrayList<>(4);
            }
            trailers.add(field);
        }
    }

    /** @return true if the body must wait for the first {@code onWritePossible} */
    boolean responseHeadersComplete() {
        synchronized (this) {
            if (done) {
                return true;
            }
            if (status == 101) {
                throw new IllegalStateException("upstream switched protocols on a plain HTTP request");
            }
            response.setStatus(status);
            List<String> connectionValues = null;
            long length = -1;
            String announcedTrailers = null;
            for (HttpField f : headers) {
                HttpHeader h = f.getHeader();
                if (h == HttpHeader.CONNECTION) {
                    if (connectionValues == null) {
                        connectionValues = new ArrayList<>(2);
                    }
                    connectionValues.add(f.getValue());
                } else if (h == HttpHeader.CONTENT_LENGTH) {
                    length = f.getLongValue();
                } else if (h == HttpHeader.TRAILER) {
                    announcedTrailers = announcedTrailers == null ? f.getValue() : announcedTrailers + ", " + f.getValue();
                }
            }
            boolean bodiless = headRequest || status == 204 || status == 304 || length == 0;
            // A small body of known length goes through the response buffer and the container sets its length
            // when complete() sends it; so the upstream's Content-Length is not copied then.
            boolean buffered = bodiless
                    || (length > 0 && length <= Math.min(SMALL_BODY, response.getBufferSize() / 2));
            HeaderPolicy upstreamHop = connectionValues == null ? null : HeaderPolicy.forRequest(connectionValues);
            for (HttpField f : headers) {
                HttpHeader h = f.getHeader();
                if (h != null && (HOP_BY_HOP.contains(h) || (h == HttpHeader.CONTENT_LENGTH && buffered && !bodiless))) {
                    continue;
                }
                String name = f.getName();
                if (upstreamHop != null && upstreamHop.isConnectionListed(name)) {
                    continue;
                }
                String value = relay.upstreamHeaders().responseValue(name, f.getValue(), mount);
                if (value == null || value.isBlank()) {
                    continue;
                }
                response.addHeader(name, value);
            }
            // Without a length the body is a stream (server-sent events, logs): each chunk is flushed as it comes.
            streamed = length < 0 && !bodiless;
            if (announcedTrailers != null && "HTTP/1.1".equals(request.getProtocol())) {
                response.setHeader(HttpHeader.TRAILER.asString(), announcedTrailers);
                response.setTrailerFields(this::trailerFields);
            }
            HttpRelay.addGatewayCookie(request, response, admission);
            if (!buffered) {
                // The body is written in non-blocking mode, from the first onWritePossible on.
                nonBlocking = true;
                waiting = true;
                out.setWriteListener(this);
                return true;
            }
            return false;
        }
    }

    private synchronized Map<String, String> trailerFields() {
        return HttpRelay.trailerMap(trailers);
    }

    /**
     * Writes one piece of the body to the client.
     *
     * @return true if the client's output is now busy: the connection must stop reading until resumed
     */
    boolean responseContent(ByteBuffer content) throws IOException {
        synchronized (this) {
            if (done) {
                return true;
            }
            int n = content.remaining();
            if (!nonBlocking) {
                // At most SMALL_BODY bytes in all, below the response buffer: copied there, no I/O.
                responseBytes += n;
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
            responseBytes += n;
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
    }

    void upstreamComplete(UpstreamConnection c) {
        synchronized (this) {
            if (done || c != connection) {
                return;
            }
            done = true;
            connection = null;
            completeQuietly();
        }
        report(status, null);
    }

    void upstreamTimedOut(UpstreamConnection c, TimeoutException timeout) {
        fail(c, 504, timeout);
    }

    /**
     * The upstream connection failed or closed before the response was complete.
     *
     * @param beforeAnswer a kept-alive connection that failed before any byte of an answer: the request may be sent
     *                     again on a new connection, if it is idempotent
     */
    void upstreamFailed(UpstreamConnection c, Throwable cause, boolean beforeAnswer) {
        synchronized (this) {
            if (done || c != connection) {
                return;
            }
            if (beforeAnswer && idempotent && !retried) {
                retried = true;
                connection = null;
                status = 0;
                headers.clear();
                dispatch(true);
                return;
            }
        }
        fail(c, cause instanceof TimeoutException ? 504 : 502, cause);
    }

    /** Ends the exchange with a JSON 502/504 if the client has seen nothing yet, else by cutting the response off. */
    private void fail(UpstreamConnection c, int errorStatus, Throwable cause) {
        boolean sent;
        synchronized (this) {
            if (done || (c != null && c != connection)) {
                return;
            }
            done = true;
            connection = null;
            sent = !response.isCommitted();
            if (sent) {
                writeError(errorStatus);
            } else {
                abort();
            }
            completeQuietly();
        }
        if (c != null) {
            c.close();
        }
        report(errorStatus, "upstream_failed");
    }

    private void writeError(int errorStatus) {
        ProxyError error = errorStatus == 504 ? ProxyError.UPSTREAM_TIMEOUT : ProxyError.UPSTREAM_UNREACHABLE;
        String message = errorStatus == 504 ? "upstream timed out" : "upstream unreachable";
        byte[] body = ErrorBody.json(errorStatus, error.code(), message);
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
    }

    /** Cuts a response that has started off, so that the client cannot take a truncated body for a whole one. */
    private void abort() {
        try {
            // Jetty aborts the response on -1; other containers refuse it once committed, and end a response whose
            // length is known short by closing the connection.
            response.sendError(-1);
        } catch (IOException | RuntimeException e) {
            // as documented: best effort
        }
    }

    private void completeQuietly() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container after a client failure.
        }
    }

    private void report(int finalStatus, String code) {
        relay.listener().httpExchange(new HttpExchangeEvent(requestId, admission.route().sandboxId(),
                admission.route().port(), method, finalStatus, code,
                responseBytes, Duration.ofNanos(System.nanoTime() - startNanos)));
    }
}
