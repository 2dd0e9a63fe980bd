package io.liteboxd.gateway;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.internal.error.ErrorBody;
import io.liteboxd.proxy.observe.AccessLog;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The answer of every error Jetty produces itself on the gateway (a garbage request line, an oversized request head,
 * a path no servlet serves, a response the container could not generate): the library's JSON error body instead of
 * Jetty's HTML page, with a fixed message per status (never the request URI, which may carry a token), and a line
 * in the access log with the status actually sent.
 */
final class JsonErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

    private static final String SERVLET_ERROR_STATUS = "jakarta.servlet.error.status_code";
    private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
    private static final HttpField NO_STORE = new HttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final AccessLog accessLog = new AccessLog();

    @Override
    public boolean errorPageForMethod(String method) {
        // Jetty answers other methods (and garbage ones) with an empty body: every refusal carries its JSON.
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = statusOf(request, response);
        ProxyError error = errorFor(status);
        byte[] body = ErrorBody.json(status, error.code(), message(status));
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(CONTENT_TYPE);
        headers.put(NO_STORE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        log(request.getMethod(), status, error, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The body of a request Jetty refused while parsing its head, before any handler could run. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        int sent = sentStatus(status);
        ProxyError error = errorFor(sent);
        byte[] body = ErrorBody.json(sent, error.code(), message(sent));
        fields.put(CONTENT_TYPE);
        fields.put(NO_STORE);
        log("-", sent, error, body.length);
        return ByteBuffer.wrap(body);
    }

    private static int statusOf(Request request, Response response) {
        for (String attribute : new String[] {ERROR_STATUS, SERVLET_ERROR_STATUS}) {
            if (request.getAttribute(attribute) instanceof Integer code && code >= 400) {
                return sentStatus(code);
            }
        }
        return sentStatus(response.getStatus() >= 400 ? response.getStatus() : 500);
    }

    /** 505 is what Jetty calls a request line that is not HTTP/1.x at all: to the client, a bad request. */
    private static int sentStatus(int status) {
        return status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 || status < 400 || status > 599 ? 400 : status;
    }

    static ProxyError errorFor(int status) {
        if (status == 404) {
            return ProxyError.ROUTE_NOT_FOUND;
        }
        if (status == 431) {
            return ProxyError.HEADERS_TOO_LARGE;
        }
        return status >= 500 ? ProxyError.INTERNAL : ProxyError.BAD_REQUEST;
    }

    private static String message(int status) {
        return switch (status) {
            case 404 -> "no route here: {prefix}/{sandbox-id}/port/{port}/... or {port}-{sandbox-id}.{base-domain}";
            case 431 -> "request header too large";
            default -> {
                String reason = HttpStatus.getMessage(status);
                yield reason == null ? "error " + status : reason.toLowerCase(java.util.Locale.ROOT);
            }
        };
    }

    private void log(String method, int status, ProxyError error, long bytes) {
        accessLog.httpExchange(new HttpExchangeEvent("-", null, 0, method, status, error.code(), bytes,
                Duration.ZERO));
    }
}
