package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.error.ErrorBody;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.header.HeaderBlock;
import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;

/**
 * One client request relayed by the {@link PooledRelay}: the upstream side of it, and the response head policy,
 * shared by the client sides ({@link ServletExchange} through the servlet API in every container,
 * {@link JettyCoreExchange} through Jetty's core API behind {@link JettyHttpHandler}).
 *
 * <p>The request goes upstream from the container's thread; the upstream connection delivers the response through
 * {@code response*} calls on its selector thread. When the client side cannot take more, the connection stops
 * reading until the client side resumes it, so the upstream is held back by the client's pace. Every client-side
 * action happens under this object's lock, so the container's callbacks and the connection's never interleave on the
 * response.
 */
abstract class PooledExchange {

    /** Largest body gathered whole before it is written, instead of written as it comes. */
    static final int SMALL_BODY = 4096;

    final PooledRelay relay;
    final Admission admission;
    private final UpstreamConnections.Origin origin;
    private final byte[] head;
    final boolean headRequest;
    private final boolean idempotent;
    /** The header policy's view of this exchange. */
    final HeaderContext context;
    private final String method;
    private final long startNanos = System.nanoTime();

    /** The connection serving this exchange now; callbacks from any other (a failed first try) are ignored. */
    UpstreamConnection connection;
    private boolean retried;
    boolean done;
    /** True from a write that left the client side busy until it resumes the connection. */
    volatile boolean waiting;

    private int status;
    private final List<HttpField> headers = new ArrayList<>(16);
    List<HttpField> trailers;
    /** No length: the body is a stream (server-sent events, logs), each chunk goes out as it comes. */
    boolean streamed;
    long responseBytes;

    PooledExchange(PooledRelay relay, Admission admission, UpstreamConnections.Origin origin, byte[] head,
                   String method, HeaderContext context) {
        this.relay = relay;
        this.admission = admission;
        this.origin = origin;
        this.head = head;
        this.context = context;
        this.method = method;
        this.headRequest = "HEAD".equals(method);
        // Safe to send twice when a kept-alive connection turns out to be closed before it answered (RFC 9110 9.2.2);
        // these carry no body here, so nothing else needs replaying.
        this.idempotent = headRequest || "GET".equals(method) || "OPTIONS".equals(method)
                || "TRACE".equals(method);
    }

    // ---- client side, under the lock ----

    /** Sets the status; called once, before any header. */
    abstract void setStatus(int code);

    abstract void addHeader(String name, String value);

    /** Whether the client side sets the length of a gathered body itself (the upstream's is then not copied). */
    abstract boolean setsOwnLength();

    /** Most bytes of a body of known length that may be gathered whole. */
    abstract int gatherLimit();

    /** Announces trailers ({@code Trailer} already added); they are read from {@link #trailers} at the end. */
    abstract void enableTrailers();

    /** Adds the gateway's own cookie, when the credential came from a query parameter or a share link. */
    abstract void addGatewayCookie();

    /**
     * The head is complete.
     *
     * @param gathered the body (if any) is small and of known length: gather it, send it at {@link #endResponse}
     * @return true if the body must wait until the client side resumes the connection
     */
    abstract boolean headComplete(boolean gathered);

    /**
     * Takes one piece of the body, whose bytes must be copied or consumed before returning.
     *
     * @return true if the client side is busy: the connection must stop reading until resumed
     */
    abstract boolean writeContent(ByteBuffer content) throws IOException;

    /** The upstream's answer is complete: send what is left and end the client's response. */
    abstract void endResponse();

    /** Whether anything of the response has reached the client (an error can no longer be sent). */
    abstract boolean isCommitted();

    /** Replaces the response with a JSON error and ends it. */
    abstract void endWithError(int errorStatus);

    /** Cuts a response that has started off, so that the client cannot take a truncated body for a whole one. */
    abstract void endAborted(Throwable cause);

    /** Ends the exchange on the client side after the client went away. */
    abstract void endClientGone(Throwable failure);

    // ---- upstream side ----

    /** Gets a connection (parked, or a new one) and sends the request on it. Called under the lock. */
    final void dispatch(boolean fresh) {
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

    /** Under the lock, when the client side can take more: the connection to resume, if it was waiting, else null. */
    final UpstreamConnection stopWaiting() {
        if (!waiting) {
            return null;
        }
        waiting = false;
        return connection;
    }

    /** The JSON body of a 502 (the upstream failed) or 504 (it did not answer in time). */
    static byte[] errorBody(int errorStatus) {
        return errorStatus == 504
                ? ErrorBody.json(504, ProxyError.UPSTREAM_TIMEOUT.code(), "upstream timed out")
                : ErrorBody.json(errorStatus, ProxyError.UPSTREAM_UNREACHABLE.code(), "upstream unreachable");
    }

    /** Whether the client's output is busy with the last chunk: the connection stops reading until resumed. */
    final boolean waitingForClient() {
        return waiting;
    }

    final void responseStatus(int code) {
        this.status = code;
        headers.clear();
    }

    final void responseHeader(HttpField field) {
        headers.add(field);
    }

    final void responseTrailer(HttpField field) {
        synchronized (this) {
            if (trailers == null) {
                trailers = new ArrayList<>(4);
            }
            trailers.add(field);
        }
    }

    /** @return true if the body must wait until the client side resumes the connection */
    final boolean responseHeadersComplete() {
        synchronized (this) {
            if (done) {
                return true;
            }
            if (!relay.headerPolicy().relays(status, context)) {
                throw new IllegalStateException("upstream switched protocols on a plain HTTP request");
            }
            setStatus(status);
            long length = -1;
            String announcedTrailers = null;
            for (HttpField f : headers) {
                HttpHeader h = f.getHeader();
                if (h == HttpHeader.CONTENT_LENGTH) {
                    length = f.getLongValue();
                } else if (h == HttpHeader.TRAILER) {
                    announcedTrailers = announcedTrailers == null ? f.getValue() : announcedTrailers + ", " + f.getValue();
                }
            }
            boolean bodiless = headRequest || status == 204 || status == 304 || length == 0;
            boolean gathered = bodiless || (length > 0 && length <= gatherLimit());
            boolean dropLength = gathered && !bodiless && setsOwnLength();
            HeaderBlock block = new HeaderBlock(headers.size() + 2);
            for (HttpField f : headers) {
                // A gathered body gets the length the client side computes: framing, not policy.
                if (!(dropLength && f.getHeader() == HttpHeader.CONTENT_LENGTH)) {
                    block.add(f.getName(), f.getValue());
                }
            }
            relay.headerPolicy().response(block, context);
            for (int i = 0; i < block.size(); i++) {
                if (!block.value(i).isBlank()) {
                    addHeader(block.name(i), block.value(i));
                }
            }
            streamed = length < 0 && !bodiless;
            if (announcedTrailers != null && http11()) {
                addHeader(HttpHeader.TRAILER.asString(), announcedTrailers);
                enableTrailers();
            }
            addGatewayCookie();
            return headComplete(gathered);
        }
    }

    /** Whether the client spoke HTTP/1.1 (trailers need chunked encoding). */
    abstract boolean http11();

    synchronized java.util.Map<String, String> trailerFields() {
        return HttpRelay.trailerMap(trailers);
    }

    /**
     * Writes one piece of the body to the client.
     *
     * @return true if the client's output is now busy: the connection must stop reading until resumed
     */
    final boolean responseContent(ByteBuffer content) throws IOException {
        synchronized (this) {
            if (done) {
                return true;
            }
            responseBytes += content.remaining();
            return writeContent(content);
        }
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

    final void upstreamTimedOut(UpstreamConnection c, TimeoutException timeout) {
        fail(c, 504, timeout);
    }

    /**
     * The upstream connection failed or closed before the response was complete.
     *
     * @param beforeAnswer a kept-alive connection that failed before any byte of an answer: the request may be sent
     *                     again on a new connection, if it is idempotent
     */
    final void upstreamFailed(UpstreamConnection c, Throwable cause, boolean beforeAnswer) {
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
        synchronized (this) {
            if (done || (c != null && c != connection)) {
                return;
            }
            done = true;
            connection = null;
            if (isCommitted()) {
                endAborted(cause);
            } else {
                endWithError(errorStatus);
            }
        }
        if (c != null) {
            c.close();
        }
        report(errorStatus, "upstream_failed");
    }

    /** The client went away or its output failed: the rest of the response has nowhere to go. */
    final void clientFailed(Throwable failure) {
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
            // Mid-response: the connection cannot be reused half-read.
            c.close();
        }
        report(-1, "client_gone");
    }

    private void report(int finalStatus, String code) {
        relay.listener().httpExchange(new HttpExchangeEvent(context.requestId(), admission.route().sandboxId(),
                admission.route().port(), method, finalStatus, code,
                responseBytes, Duration.ofNanos(System.nanoTime() - startNanos)));
    }
}
