package io.liteboxd.proxy.servlet.internal;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * What a failed upstream exchange means for the client, one rule for the HTTP engine and every WebSocket handshake:
 * a refusal already decided ({@link ProxyException}) stands, a timeout anywhere in the chain is 504
 * {@code upstream_timeout}, anything else (refused, reset, closed, TLS) is 502 {@code upstream_unreachable}.
 */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /** The refusal for {@code cause}, which is kept as the exception's cause for the log, never shown to the client. */
    public static ProxyException classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ProxyException p) {
                return p;
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                // Our own timeouts say what did not answer in time; a socket's says nothing a client could use.
                String message = t instanceof TimeoutException && t.getMessage() != null
                        && t.getMessage().startsWith("upstream ") ? t.getMessage() : "upstream did not answer in time";
                return new ProxyException(ProxyError.UPSTREAM_TIMEOUT, message, cause);
            }
        }
        return new ProxyException(ProxyError.UPSTREAM_UNREACHABLE, "upstream unreachable", cause);
    }
}
