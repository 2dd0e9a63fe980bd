package io.liteboxd.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The upstream every contender fronts: one Jetty core server (no servlet layer) with
 * <ul>
 *   <li>{@code GET /small}: a fixed 128-byte JSON body (the small-request figure);</li>
 *   <li>{@code GET /download?bytes=N}: N bytes streamed with a Content-Length;</li>
 *   <li>{@code PUT|POST /upload}: reads the body and answers {@code {"received":N}};</li>
 *   <li>{@code GET /sse}: a chunked {@code text/event-stream}: one event at once, a second after 200 ms
 *       (the time-to-first-byte figure shows whether a proxy holds the first event back);</li>
 *   <li>{@code ws /ws}: a streaming echo (each frame is echoed as it arrives, the next frame is read only when the
 *       echo was written);</li>
 *   <li>{@code ws /flood?size=N}: sends N-byte text messages back to back, each after the previous one was written
 *       (the slow-reader figure);</li>
 *   <li>{@code GET /page/index.html}, {@code /page/main.js}, {@code /page/m/N.js}: a page in the shape of a dev
 *       server's, {@value #PAGE_MODULES} small ES modules pulled by one entry module, which then opens
 *       {@code ws /hello} (a greeting first, then an echo) relative to the page (the page-load figure).</li>
 * </ul>
 * Run as a process ({@link #main}) by the suite, or in-process by the smoke test.
 */
public final class Upstream implements AutoCloseable {

    public static final int SMALL_BODY_BYTES = 128;
    public static final long MAX_MESSAGE = 256L * 1024 * 1024;
    public static final int PAGE_MODULES = 300;
    static final byte[] SMALL_BODY = smallBody();

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService timer;

    private Upstream(Server server, ServerConnector connector, ScheduledExecutorService timer) {
        this.server = server;
        this.connector = connector;
        this.timer = timer;
    }

    public static Upstream start(String host, int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("upstream");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(Duration.ofMinutes(30).toMillis());
        server.addConnector(connector);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upstream-timer");
            t.setDaemon(true);
            return t;
        });

        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofMinutes(30));
            container.setMaxTextMessageSize(MAX_MESSAGE);
            container.setMaxBinaryMessageSize(MAX_MESSAGE);
            container.setMaxFrameSize(MAX_MESSAGE);
            container.addMapping("/ws", (rq, rs, cb) -> new EchoEndpoint());
            container.addMapping("/hello", (rq, rs, cb) -> new GreetingEndpoint());
            container.addMapping("/flood", (rq, rs, cb) -> {
                String query = rq.getHttpURI().getQuery();
                String size = query == null ? null : queryValue(query, "size");
                return new FloodEndpoint(size == null ? 65536 : Integer.parseInt(size));
            });
        });
        ws.setHandler(new HttpEndpoints(timer));
        server.setHandler(ws);
        server.setStopTimeout(1000);
        server.start();
        return new Upstream(server, connector, timer);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        server.stop();
    }

    /** {@code Upstream [--host 127.0.0.1] [--port 0]}; prints {@code READY port=N} when listening. */
    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        Upstream upstream = start(a.get("host", "127.0.0.1"), a.getInt("port", 0));
        System.out.println("READY port=" + upstream.port());
        System.out.flush();
        upstream.server.join();
    }

    static String queryValue(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }

    private static byte[] smallBody() {
        StringBuilder sb = new StringBuilder("{\"ok\":true,\"pad\":\"");
        while (sb.length() < SMALL_BODY_BYTES - 3) {
            sb.append('x');
        }
        sb.append("\"}\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The plain HTTP endpoints. */
    static final class HttpEndpoints extends Handler.Abstract.NonBlocking {
        private static final ByteBuffer CHUNK = ByteBuffer.allocateDirect(64 * 1024);

        static {
            while (CHUNK.hasRemaining()) {
                CHUNK.put((byte) ('a' + CHUNK.position() % 26));
            }
            CHUNK.flip();
        }

        private final ScheduledExecutorService timer;

        HttpEndpoints(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            if (path.startsWith("/page/")) {
                Page.serve(path.substring("/page/".length()), response, callback);
                return true;
            }
            switch (path) {
                case "/small" -> {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, SMALL_BODY.length);
                    response.write(true, ByteBuffer.wrap(SMALL_BODY), callback);
                }
                case "/download" -> {
                    String q = request.getHttpURI().getQuery();
                    String v = q == null ? null : queryValue(q, "bytes");
                    long bytes = v == null ? 1024 * 1024 : Long.parseLong(v);
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes);
                    new Download(response, bytes, callback).iterate();
                }
                case "/upload" -> new Upload(request, response, callback).run();
                case "/sse" -> {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                    response.write(false, ascii("data: first\n\n"), Callback.from(
                            () -> timer.schedule(() -> response.write(true, ascii("data: last\n\n"), callback),
                                    200, TimeUnit.MILLISECONDS),
                            callback::failed));
                }
                default -> {
                    response.setStatus(404);
                    Content.Sink.write(response, true, "not found\n", callback);
                }
            }
            return true;
        }

        private static ByteBuffer ascii(String s) {
            return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes N bytes in 64 KiB slices of one shared read-only buffer. */
        private static final class Download extends IteratingCallback {
            private final Response response;
            private final Callback done;
            private long remaining;

            Download(Response response, long bytes, Callback done) {
                this.response = response;
                this.remaining = bytes;
                this.done = done;
            }

            @Override
            protected Action process() {
                if (remaining == 0) {
                    return Action.SUCCEEDED;
                }
                int n = (int) Math.min(CHUNK.capacity(), remaining);
                remaining -= n;
                ByteBuffer slice = CHUNK.asReadOnlyBuffer();
                slice.limit(n);
                response.write(remaining == 0, slice, this);
                return Action.SCHEDULED;
            }

            @Override
            protected void onCompleteSuccess() {
                done.succeeded();
            }

            @Override
            protected void onCompleteFailure(Throwable cause) {
                done.failed(cause);
            }
        }

        /** Reads the request body to its end, counting bytes, then answers the count. */
        private static final class Upload implements Runnable {
            private final Request request;
            private final Response response;
            private final Callback callback;
            private long received;

            Upload(Request request, Response response, Callback callback) {
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
                    received += chunk.remaining();
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        Content.Sink.write(response, true, "{\"received\":" + received + "}\n", callback);
                        return;
                    }
                }
            }
        }
    }

    /**
     * The dev-server page: {@code index.html} loads {@code main.js}, which imports every module {@code m/N.js}
     * statically (each a few hundred bytes, as a dev server serves untransformed sources one file at a time) and
     * then opens the greeting WebSocket. Every response says {@code no-cache}, as a dev server's do.
     */
    static final class Page {
        private static final byte[] INDEX = ascii("""
                <!doctype html>
                <html><head><meta charset="utf-8"><title>page-load</title>
                <script type="module" src="./main.js"></script></head>
                <body><div id="app"></div></body></html>
                """);
        private static final byte[] MAIN = main();

        private Page() {
        }

        static void serve(String file, Response response, Callback callback) {
            byte[] body;
            String type = "text/javascript";
            if (file.equals("index.html")) {
                body = INDEX;
                type = "text/html; charset=utf-8";
            } else if (file.equals("main.js")) {
                body = MAIN;
            } else if (file.startsWith("m/") && file.endsWith(".js")) {
                int n;
                try {
                    n = Integer.parseInt(file.substring(2, file.length() - 3));
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n >= PAGE_MODULES) {
                    response.setStatus(404);
                    Content.Sink.write(response, true, "not found\n", callback);
                    return;
                }
                body = module(n);
            } else {
                response.setStatus(404);
                Content.Sink.write(response, true, "not found\n", callback);
                return;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        private static byte[] module(int n) {
            StringBuilder sb = new StringBuilder("// module ").append(n).append('\n')
                    .append("export const name = 'm").append(n).append("';\n")
                    .append("export function value(x) {\n  return x * ").append(n + 1).append(" + name.length;\n}\n");
            while (sb.length() < 400) {
                sb.append("// padding to the size of a small source file\n");
            }
            return ascii(sb.toString());
        }

        private static byte[] main() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < PAGE_MODULES; i++) {
                sb.append("import * as m").append(i).append(" from './m/").append(i).append(".js';\n");
            }
            sb.append("""
                    const all = [""");
            for (int i = 0; i < PAGE_MODULES; i++) {
                sb.append(i == 0 ? "" : ", ").append('m').append(i);
            }
            sb.append("""
                    ];
                    window.__modules = all.reduce((sum, m) => sum + m.value(1), 0) > 0 ? all.length : 0;
                    const url = new URL('../hello', location.href);
                    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
                    const ws = new WebSocket(url);
                    ws.onmessage = () => {
                      if (window.__wsFirst === undefined) {
                        window.__wsFirst = performance.now();
                      }
                    };
                    ws.onerror = () => { window.__wsError = true; };
                    """);
            return ascii(sb.toString());
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
