package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.error.ErrorBody;
import io.liteboxd.proxy.error.ProxyException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the gateway's JSON error responses. Never a container error page, never a stack trace. */
public final class ErrorResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    /**
     * Sends {@code e} as status + JSON body if the response is not committed yet; otherwise there is nothing left
     * to tell the client and the caller must abort the connection instead.
     *
     * @return true if the error was written
     */
    public static boolean send(HttpServletResponse response, ProxyException e) {
        return send(response, e.status(), ErrorBody.json(e));
    }

    static boolean send(HttpServletResponse response, int status, byte[] body) {
        if (response.isCommitted()) {
            return false;
        }
        try {
            response.resetBuffer();
            response.setStatus(status);
            response.setContentType(ErrorBody.CONTENT_TYPE);
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.flushBuffer();
            return true;
        } catch (IOException | IllegalStateException ex) {
            LOG.debug("Could not write error response {}", status, ex);
            return false;
        }
    }
}
