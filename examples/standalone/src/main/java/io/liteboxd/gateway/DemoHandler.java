package io.liteboxd.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The demo sandbox's plain HTTP side: the page at {@code /} and the request echo at {@code /echo}. Paths are
 * matched on the raw (still percent-encoded) form, which is also what {@code /echo} reports, so a caller can see
 * exactly what reached the sandbox.
 */
final class DemoHandler extends Handler.Abstract {

    /** Bodies above this are refused: the demo listens only on loopback, but an echo must not buffer without limit. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] page = loadPage();

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path.equals("/")) {
            send(response, callback, HttpStatus.OK_200, "text/html;charset=utf-8", page);
        } else if (path.equals("/echo") || path.startsWith("/echo/")) {
            echo(request, response, callback);
        } else {
            send(response, callback, HttpStatus.NOT_FOUND_404, "text/plain;charset=utf-8",
                    "not found in the demo sandbox: try / or /echo or the WebSocket /ws\n"
                            .getBytes(StandardCharsets.UTF_8));
        }
        return true;
    }

    private void echo(Request request, Response response, Callback callback) {
        new BodyReader(request, response, callback).run();
    }

    /**
     * Reads the request body up to {@link #MAX_BODY_BYTES} without blocking, then answers. Written out rather than
     * {@code Content.Source.asByteArrayAsync}, which fails the request source after reporting an oversized body
     * and so races with the 413 answer completing (and recycling) the request.
     */
    private static final class BodyReader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        BodyReader(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    callback.failed(chunk.getFailure());
                    return;
                }
                boolean tooLarge = body.size() + chunk.remaining() > MAX_BODY_BYTES;
                if (!tooLarge) {
                    byte[] bytes = new byte[chunk.remaining()];
                    chunk.getByteBuffer().get(bytes);
                    body.writeBytes(bytes);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (tooLarge) {
                    send(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "text/plain;charset=utf-8",
                            ("request body refused: at most " + MAX_BODY_BYTES + " bytes\n")
                                    .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (last) {
                    sendEcho(request, response, callback, body.toByteArray());
                    return;
                }
            }
        }
    }

    private static void sendEcho(Request request, Response response, Callback callback, byte[] body) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("method", request.getMethod());
        echo.put("path", request.getHttpURI().getPath());
        echo.put("query", request.getHttpURI().getQuery());
        echo.put("headers", headers(request));
        echo.put("body", new String(body, StandardCharsets.UTF_8));
        try {
            send(response, callback, HttpStatus.OK_200, "application/json", JSON.writeValueAsBytes(echo));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    private static Map<String, List<String>> headers(Request request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getName(), n -> new ArrayList<>()).add(field.getValue());
        }
        return headers;
    }

    private static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] loadPage() {
        try (InputStream in = DemoHandler.class.getResourceAsStream("demo-page.html")) {
            if (in == null) {
                throw new IllegalStateException("demo-page.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
