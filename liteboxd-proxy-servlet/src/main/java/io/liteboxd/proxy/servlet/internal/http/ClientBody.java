package io.liteboxd.proxy.servlet.internal.http;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a request body that something in front of the gateway already read, so that the gateway answers
 * {@code 500 body_consumed} at once instead of announcing a body upstream that it can no longer send.
 *
 * <p>A filter of the embedding application that reads the body (Spring's {@code FormContentFilter} for form-encoded
 * PUT, PATCH and DELETE; anything that calls {@code getParameter} on a form POST) leaves the {@code Content-Length}
 * in place. Relayed as it is, the upstream is promised bytes that never come: the exchange hangs until the request
 * timeout, or fails with a misleading 502, and the upstream connection is left mid-request.
 *
 * <p>Two checks, both on servlet API calls only, so they hold in every container:
 * <ul>
 *   <li>before relaying: the input stream already reports {@link ServletInputStream#isFinished() finished} although a
 *       body was announced (or {@code getReader()} was taken, so the stream cannot be had at all). Nothing is sent
 *       upstream;</li>
 *   <li>while relaying: the stream ends before the announced {@code Content-Length} (a filter read part of it; or,
 *       on Jetty, parsed form parameters beneath the servlet stream, which then looks unread). The request already
 *       started upstream is aborted, so its connection is closed rather than reused.</li>
 * </ul>
 */
final class ClientBody {

    private static final Logger LOG = LoggerFactory.getLogger(ClientBody.class);

    /** What the client is told; it names the likely cause because the fix is in the application, not the client. */
    static final String MESSAGE = "the request body was read by the application before the gateway could relay it "
            + "(a servlet filter in front of the gateway, such as Spring's FormContentFilter, consumed it)";

    /** Misconfiguration is the application's to fix: say so loudly once, then only at DEBUG, not once per request. */
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Refuses a request whose announced body is already gone, before anything is sent upstream.
     *
     * @throws ProxyException {@link ProxyError#BODY_CONSUMED} if the body was read by someone else
     */
    void checkUnread(HttpServletRequest request) {
        String how = consumedBeforeRelay(request);
        if (how != null) {
            log(request.getMethod(), request.getRequestURI(), how);
            throw new ProxyException(ProxyError.BODY_CONSUMED, MESSAGE + "; nothing was sent to the sandbox");
        }
    }

    /**
     * How the announced body of {@code request} was used up before the relay, or null if it is still there to read
     * (or no body was announced).
     */
    static String consumedBeforeRelay(HttpServletRequest request) {
        if (request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null) {
            return null;
        }
        ServletInputStream input;
        try {
            input = request.getInputStream();
        } catch (IllegalStateException e) {
            return "read through getReader()";
        } catch (IOException e) {
            // Not a consumed body; the relay's own read reports whatever is wrong with the stream.
            return null;
        }
        return input.isFinished() ? "already read to its end" : null;
    }

    /**
     * The answer when a relayed request's body ended short of its announced length; the request already on its way
     * upstream is aborted.
     */
    ProxyException endedShort(String method, String path, long read, long announced) {
        log(method, path, "ended after " + read + " of " + announced + " announced bytes");
        return new ProxyException(ProxyError.BODY_CONSUMED, MESSAGE + "; the request to the sandbox was aborted");
    }

    private void log(String method, String path, String how) {
        if (warned.compareAndSet(false, true)) {
            // The path, never the query: a query may carry the access token.
            LOG.warn("The body of {} {} was {} before the gateway could relay it; answered {} {}. A servlet filter "
                            + "that reads request bodies (Spring's FormContentFilter, HiddenHttpMethodFilter, anything "
                            + "calling getParameter) must not run on the gateway's paths. Logged once; later ones at DEBUG.",
                    method, path, how, ProxyError.BODY_CONSUMED.status(), ProxyError.BODY_CONSUMED.code());
        } else {
            LOG.debug("The body of {} {} was {} before the gateway could relay it", method, path, how);
        }
    }
}
