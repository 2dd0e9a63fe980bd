package io.liteboxd.proxy.servlet.internal;

import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.error.ErrorBody;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the gateway's JSON error responses through the servlet API, for refusals and for upstream failures alike.
 * Never a container error page, never a stack trace.
 */
public final class ErrorResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    /**
     * Sends {@code e} as status + JSON body if the response is not committed yet; otherwise there is nothing left
     * to tell the client and the caller must abort the connection instead.
     *
     * @param close       ask the container to close the connection afterwards (the request body may be unread)
     * @param nonBlocking the output is in non-blocking mode: the body is written only if it is ready (the status and
     *                    length still tell the client), and nothing is flushed here
     * @return true if the error was written
     */
    public static boolean send(HttpServletResponse response, ProxyException e, boolean close, boolean nonBlocking) {
        if (response.isCommitted()) {
            return false;
        }
        byte[] body = ErrorBody.json(e);
        try {
            response.resetBuffer();
            response.setStatus(e.status());
            if (close) {
                response.setHeader("Connection", "close");
            }
            response.setContentType(ErrorBody.CONTENT_TYPE);
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(body.length);
            ServletOutputStream out = response.getOutputStream();
            if (!nonBlocking || out.isReady()) {
                out.write(body);
            }
            if (!nonBlocking) {
                response.flushBuffer();
            }
            return true;
        } catch (IOException | IllegalStateException ex) {
            LOG.debug("Could not write error response {}", e.status(), ex);
            return false;
        }
    }
}
