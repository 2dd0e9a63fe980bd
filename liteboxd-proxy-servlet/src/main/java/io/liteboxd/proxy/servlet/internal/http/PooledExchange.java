package io.liteboxd.proxy.servlet.internal.http;

import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.servlet.internal.UpstreamFailures;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.internal.header.TrailerPolicy;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.Promise;

/**
 * One client request relayed by the {@link HttpRelay}: the upstream side of it (request head, request body, the
 * response head policy), shared by the client sides: {@code ServletExchange} through the servlet API in every
 * container, and the Jetty core front end in its own package. Not an API: public only so that the Jetty front end,
 * which must live apart from the portable classes, can supply its client side.
 *
 * <p>The request head goes upstream from the container's thread; the upstream connection delivers the response
 * through {@code response*} calls on its selector thread. When the client side cannot take more, the connection stops
 * reading until the client side resumes it, so the upstream is held back by the client's pace. The request body goes
 * the other way at the upstream's pace: the next piece is read from the client only once the previous one is written.
 * Every client-side action on the response happens under this object's lock, so the container's callbacks and the
 * connection's never interleave on it.
 */
public abstract class PooledExchange {

    /** Largest body gathered whole before it is written, instead of written as it comes. */
    protected static final int SMALL_BODY = 4096;

    /**
     * Most body bytes gathered for one write, either way: upstreams and containers hand bodies over a few KiB at a
     * time, and a write per piece cost much of the rate.
     */
    protected static final int WRITE_SIZE = 64 * 1024;

    /** Most bytes one read from the upstream hands to {@link #writeContent}. */
    protected static final int UPSTREAM_READ_SIZE = UpstreamConnection.BUFFER_SIZE;

    /** What {@link #readBody()} returns at the end of the request body. */
    protected static final ByteBuffer END = ByteBuffer.allocate(0);

    final HttpRelay relay;
    protected final Admission admission;
    private final UpstreamConnections.Origin origin;
    private final byte[] head;
    private final boolean headRequest;
    /** Bytes of request body announced: 0 for none, -1 for a body of unknown length (sent chunked). */
    private final long bodyLength;
    private final boolean retriable;
    protected final HeaderContext context;
    private final String method;
    private final long startNanos = System.nanoTime();
    private final BodyPump pump;
    private final String cookie;

    /** The connection serving this exchange now; callbacks from any other (a failed first try) are ignored. */
    volatile UpstreamConnection connection;
    private boolean retried;
    /** The request head is upstream: the body may follow. */
    private volatile boolean bodyStarted;
    /** The exchange has ended on the client side; nothing more is done for it. */
    protected volatile boolean done;
    /** True from a write that left the client side busy until it resumes the connection. */
    protected volatile boolean waiting;

    private int status;
    /** The upstream's response header fields as they arrive, and what of them the framing needs. */
    private HeaderBlock headers;
    private String announcedTrailers;
    private HeaderBlock trailers;
    /** No length: the body is a stream (server-sent events, logs), each chunk goes out as it comes. */
    protected boolean streamed;
    private long responseBytes;
    /**
     * The response body's announced length, -1 for none: as the parser took it, which refuses a malformed, repeated or
     * overflowing length and a length beside chunked framing, so a gathered body has exactly this many bytes.
     */
    protected long responseLength = -1;

    /**
     * @param clientHeaders the client's header fields, before the header policy
     * @param contextPath   the client's servlet context path ("" at the root), for the gateway cookie's path
     */
    protected PooledExchange(HttpRelay relay, Admission admission, String method, HeaderBlock clientHeaders,
                             HeaderContext context, String contextPath, long bodyLength) {
        this.relay = relay;
        this.admission = admission;
        URI target = admission.target().uri();
        boolean tls = "https".equals(target.getScheme());
        this.origin = new UpstreamConnections.Origin(tls, target.getHost(),
                target.getPort() > 0 ? target.getPort() : tls ? 443 : 80);
        this.context = context;
        this.method = method;
        this.bodyLength = bodyLength;
        relay.headerPolicy().request(clientHeaders, context);
        this.head = RequestHead.of(method, target, clientHeaders, bodyLength < 0);
        this.headRequest = "HEAD".equals(method);
        // Safe to send twice when a kept-alive connection turns out to be closed before it answered (RFC 9110 9.2.2):
        // only these methods, and only without a body, which is read from the client once and not kept.
        this.retriable = bodyLength == 0 && (headRequest || "GET".equals(method) || "OPTIONS".equals(method)
                || "TRACE".equals(method));
        this.pump = bodyLength == 0 ? null : new BodyPump();
        this.cookie = relay.gatewayCookie(contextPath, context.secure(), admission);
    }

    // ---- client side of the response, under the lock ----

    /** Sets the status; called once, before any header. */
    protected abstract void setStatus(int code);

    protected abstract void addHeader(String name, String value);

    /** Most bytes of a body of known length that may be gathered whole. */
    protected int gatherLimit() {
        return SMALL_BODY;
    }

    /** Announces trailers ({@code Trailer} already added); they are read from {@link #trailerFields()} at the end. */
    protected abstract void enableTrailers();

    /**
     * The head is complete.
     *
     * @param gathered the body (if any) is small and of known length: gather it, send it at {@link #endResponse}
     * @return true if the body must wait until the client side resumes the connection
     */
    protected boolean headComplete(boolean gathered) {
        return false;
    }

    /**
     * Takes one piece of the body, whose bytes must be copied or consumed before returning.
     *
     * @return true if the client side is busy: the connection must stop reading until resumed
     */
    protected abstract boolean writeContent(ByteBuffer content) throws IOException;

    /** The upstream's answer is complete: send what is left and end the client's response. */
    protected abstract void endResponse();

    /** Whether anything of the response has reached the client (an error can no longer be sent). */
    protected abstract boolean isCommitted();

    /** Replaces the response with the JSON error and ends it. */
    protected abstract void endWithError(ProxyException error);

    /** Cuts a response that has started off, so that the client cannot take a truncated body for a whole one. */
    protected abstract void endAborted(Throwable cause);

    /** Ends the exchange on the client side after the client went away. */
    protected abstract void endClientGone(Throwable failure);

    // ---- client side of the request body, on the body's own turn ----

    /**
     * The next piece of the client's request body, without blocking: valid until the next call or
     * {@link #releaseBody()}.
     *
     * @return bytes; {@link #END} at the end of the body; or null if none are there yet, and then the client side
     *         calls {@link #bodyAvailable()} when some are
     * @throws IOException the client's body failed (the client went away, or sent a malformed body)
     */
    protected abstract ByteBuffer readBody() throws IOException;

    /**
     * Whether {@link #readBody()} may run on a selector thread: then a write of the body that completes later goes on
     * from the thread that completed it instead of being handed to another. False where the container's own locks may
     * be taken by a read (the servlet API).
     */
    protected boolean bodyNonBlocking() {
        return false;
    }

    /**
     * The trailer fields of the client's chunked body, as received, once {@link #readBody()} returned {@link #END};
     * null or empty for none.
     */
    protected HeaderBlock requestTrailers() {
        return null;
    }

    /** The body is done with, read to its end or not: let go of what the last {@link #readBody()} returned. */
    protected void releaseBody() {
    }

    /** Called by the client side when {@link #readBody()} returned null and body bytes (or the end) have arrived. */
    protected final void bodyAvailable() {
        pump.iterate();
    }

    // ---- upstream side ----

    protected final synchronized void sendRequest() {
        dispatch(false);
    }

    /** Gets a connection (parked unless {@code fresh}, or a new one) and sends the request on it. Under the lock. */
    final void dispatch(boolean fresh) {
        UpstreamConnections pool = relay.connections;
        UpstreamConnection parked = fresh ? null : pool.claimParked(origin);
        if (parked != null) {
            attach(parked);
            return;
        }
        pool.connect(origin, Promise.from(this::attach, cause -> fail(null, UpstreamFailures.classify(cause), cause)));
    }

    private void attach(UpstreamConnection c) {
        synchronized (this) {
            if (done) {
                c.close();
                return;
            }
            connection = c;
        }
        c.send(this, ByteBuffer.wrap(head), headRequest, pump != null, pump == null ? () -> { } : this::headWritten);
    }

    private void headWritten() {
        bodyStarted = true;
        pump.iterate();
    }

    /**
     * Under the lock, when the client side can take more: resumes the connection if it was waiting for the client.
     * The connection is resumed after the lock is let go.
     */
    protected final void resumeUpstream() {
        UpstreamConnection resume;
        synchronized (this) {
            if (done || !waiting) {
                return;
            }
            waiting = false;
            resume = connection;
        }
        if (resume != null) {
            resume.resume();
        }
    }

    final void responseStatus(int code) {
        this.status = code;
        headers = new HeaderBlock(16);
        responseLength = -1;
        announcedTrailers = null;
    }

    final void responseHeader(HttpField field) {
        HttpHeader h = field.getHeader();
        if (h == HttpHeader.CONTENT_LENGTH) {
            responseLength = field.getLongValue();
        } else if (h == HttpHeader.TRAILER) {
            announcedTrailers = announcedTrailers == null ? field.getValue()
                    : announcedTrailers + ", " + field.getValue();
        }
        headers.add(field.getName(), field.getValue());
    }

    final synchronized void responseTrailer(HttpField field) {
        if (trailers == null) {
            trailers = new HeaderBlock(4);
        }
        trailers.add(field.getName(), field.getValue());
    }

    /** @return true if the body must wait until the client side resumes the connection */
    final synchronized boolean responseHeadersComplete() {
        if (done) {
            return true;
        }
        if (!relay.headerPolicy().relays(status, context)) {
            throw new IllegalStateException("upstream switched protocols on a plain HTTP request");
        }
        setStatus(status);
        boolean bodiless = headRequest || status == 204 || status == 304 || responseLength == 0;
        boolean gathered = bodiless || (responseLength > 0 && responseLength <= gatherLimit());
        if (gathered && !bodiless) {
            // A gathered body is sent whole, and the container sets its length: framing, not policy.
            headers.remove(HttpHeader.CONTENT_LENGTH.asString());
        }
        relay.headerPolicy().response(headers, context);
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.value(i).isBlank()) {
                addHeader(headers.name(i), headers.value(i));
            }
        }
        streamed = responseLength < 0 && !bodiless;
        String announced = announcedTrailers == null ? null : TrailerPolicy.announced(announcedTrailers);
        // Trailers need chunked encoding: HTTP/1.1.
        if (announced != null && "HTTP/1.1".equals(context.protocol())) {
            addHeader(HttpHeader.TRAILER.asString(), announced);
            enableTrailers();
        }
        if (cookie != null) {
            addHeader(HttpHeader.SET_COOKIE.asString(), cookie);
        }
        return headComplete(gathered);
    }

    /**
     * The upstream's trailers that may reach the client ({@link TrailerPolicy}), as the servlet API takes them: one
     * entry per name, repeated fields joined.
     */
    protected final synchronized Map<String, String> trailerFields() {
        Map<String, String> map = new LinkedHashMap<>();
        if (trailers != null) {
            TrailerPolicy.response(relay.headerPolicy(), trailers, context)
                    .forEach((name, value) -> map.merge(name, value, (a, b) -> a + ", " + b));
        }
        return map;
    }

    /** Whether the pieces given so far are the whole body of announced length: the next call is the end. */
    protected final boolean bodyComplete() {
        return responseBytes == responseLength;
    }

    /**
     * Writes one piece of the body to the client.
     *
     * @return true if the client's output is now busy: the connection must stop reading until resumed
     */
    final synchronized boolean responseContent(ByteBuffer content) throws IOException {
        if (done) {
            return true;
        }
        responseBytes += content.remaining();
        return writeContent(content);
    }

    final void upstreamComplete(UpstreamConnection c) {
        synchronized (this) {
            if (done || c != connection) {
                return;
            }
            done = true;
            connection = null;
            endResponse();
        }
        report(status, null);
    }

    /**
     * The upstream connection failed or closed before the response was complete.
     *
     * @param beforeAnswer a kept-alive connection that failed before any byte of an answer: the request may be sent
     *                     again on a new connection, if that is safe
     */
    final void upstreamFailed(UpstreamConnection c, Throwable cause, boolean beforeAnswer) {
        synchronized (this) {
            if (done || c != connection) {
                return;
            }
            if (beforeAnswer && retriable && !retried) {
                retried = true;
                connection = null;
                status = 0;
                dispatch(true);
                return;
            }
        }
        fail(c, UpstreamFailures.classify(cause), cause);
    }

    /** Ends the exchange with the JSON error if the client has seen nothing yet, else by cutting the response off. */
    private void fail(UpstreamConnection c, ProxyException error, Throwable cause) {
        synchronized (this) {
            if (done || (c != null && c != connection)) {
                return;
            }
            done = true;
            connection = null;
            if (isCommitted()) {
                endAborted(cause);
            } else {
                endWithError(error);
            }
        }
        if (c != null) {
            c.close();
        }
        report(error.status(), error.status() == 500 ? error.error().code() : "upstream_failed");
    }

    /** The client went away or its output failed: the rest of the response has nowhere to go. */
    protected final void clientFailed(Throwable failure) {
        UpstreamConnection c;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            c = connection;
            connection = null;
            endClientGone(failure);
        }
        if (c != null) {
            // Mid-exchange: the connection cannot be reused half-read or half-written.
            c.close();
        }
        report(-1, "client_gone");
    }

    private void report(int finalStatus, String code) {
        relay.listener.httpExchange(new HttpExchangeEvent(context.requestId(), admission.route().sandboxId(),
                admission.route().port(), method, finalStatus, code,
                responseBytes, Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    /**
     * Copies the client's body to the upstream connection, one piece at a time: a piece is read only once the
     * previous one is written, so a slow upstream holds the client back through TCP instead of filling the heap.
     * Iterating, so a write that completes at once does not recurse.
     */
    private final class BodyPump extends IteratingCallback {
        private long sent;
        private boolean ended;
        private UpstreamConnection target;

        @Override
        public InvocationType getInvocationType() {
            return bodyNonBlocking() ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING;
        }

        /**
         * Takes no lock of the exchange: it runs in the container's read callbacks, which some containers (Tomcat) call
         * holding a lock of their own that the response side needs under the exchange's lock. What ends the exchange
         * from here runs on another thread for the same reason.
         */
        @Override
        protected Action process() throws Throwable {
            if (done) {
                return Action.SUCCEEDED;
            }
            UpstreamConnection c = connection;
            if (c == null || !bodyStarted) {
                return Action.IDLE;
            }
            target = c;
            if (ended) {
                c.requestSent();
                return Action.SUCCEEDED;
            }
            ByteBuffer piece;
            try {
                piece = readBody();
            } catch (IOException | RuntimeException e) {
                later(() -> clientFailed(e));
                return Action.SUCCEEDED;
            }
            if (piece == null) {
                return Action.IDLE;
            }
            if (piece == END) {
                ended = true;
                if (bodyLength > 0 && sent < bodyLength) {
                    // Part of the body was read by something in front of the gateway: the upstream would wait forever.
                    ProxyException error = relay.clientBody.endedShort(method, context.mount(), sent, bodyLength);
                    later(() -> fail(c, error, error));
                    return Action.SUCCEEDED;
                }
                if (bodyLength < 0) {
                    HeaderBlock trailers = requestTrailers();
                    c.write(this, trailers == null || trailers.size() == 0 ? RequestHead.LAST_CHUNK.duplicate()
                            : ByteBuffer.wrap(RequestHead.lastChunk(
                                    TrailerPolicy.request(relay.headerPolicy(), trailers, context))));
                    return Action.SCHEDULED;
                }
                c.requestSent();
                return Action.SUCCEEDED;
            }
            int n = piece.remaining();
            if (n == 0) {
                return Action.IDLE;
            }
            sent += n;
            if (bodyLength < 0) {
                c.write(this, ByteBuffer.wrap((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII)),
                        piece, ByteBuffer.wrap(CRLF));
            } else {
                c.write(this, piece);
            }
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            releaseBody();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            releaseBody();
            UpstreamConnection c = target;
            // The upstream stopped taking the body. If it has begun to answer (a 413, say), that answer still comes;
            // otherwise the exchange fails here, since the connection can no longer carry a whole request.
            if (c != null && !c.answering()) {
                later(() -> upstreamFailed(c, cause, false));
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private void later(Runnable task) {
        relay.httpClient().getExecutor().execute(task);
    }

}
