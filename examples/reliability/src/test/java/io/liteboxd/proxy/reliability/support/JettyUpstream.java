package io.liteboxd.proxy.reliability.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A well-behaved sandbox app on Jetty 12 core (no servlet API), 127.0.0.1, ephemeral port. It counts every TCP
 * accept and every request (HTTP or WebSocket upgrade) so that tests can prove "no upstream connection attempt".
 *
 * <p>HTTP: any path outside {@code /ws/} answers 200 with JSON {@code {path, query, headers}}; the path and query are
 * the raw bytes of the request line. WebSocket ({@code ?probe=ID} records that connection's handshake headers and
 * the close it received under ID):
 * <ul>
 *   <li>{@code /ws/echo[?fragments=K]}: echoes every whole message (as K frames when given); the text
 *       {@code close-me} makes it close with 4000 instead;</li>
 *   <li>{@code /ws/big?bytes=N}: sends one text message of N bytes when it opens, then echoes;</li>
 *   <li>{@code /ws/firehose?bytes=N[&fragments=K]}: sends text messages of N bytes (as K frames when given) back
 *       to back, each after the previous one was written, until the connection ends (paced by TCP backpressure
 *       only).</li>
 * </ul>
 */
public final class JettyUpstream implements AutoCloseable {

    public record CloseRecord(int code, String reason) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final AtomicLong firehoseMessages = new AtomicLong();
    private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();
    private final List<String> requestPaths = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Map<String, List<String>>>> handshakes = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<CloseRecord>> closes = new ConcurrentHashMap<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    private JettyUpstream() {
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("upstream");
        threads.setIdleTimeout(2_000);
        threads.setMaxEvictCount(100);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // Report exactly what the gateway sent; an upstream that rejected odd paths would hide a gateway that let
        // them through.
        http.setUriCompliance(UriCompliance.UNSAFE);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http)) {
            @Override
            protected void configure(Socket socket) {
                // Counted per socket: an upgrade swaps the Connection object on the same socket.
                accepted.incrementAndGet();
                super.configure(socket);
            }
        };
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        // Keeps what a stalled connection parks in the kernel small (this machine is shared); the gateway's own
        // buffering is what the tests measure, not the fixture's.
        connector.setAcceptedSendBufferSize(64 * 1024);
        server.addConnector(connector);

        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofMinutes(2));
            container.setMaxTextMessageSize(64L * 1024 * 1024);
            container.setMaxBinaryMessageSize(64L * 1024 * 1024);
            container.addMapping("/ws/echo", (rq, rs, cb) -> new Echo(this, probe(rq), 0, intParam(rq, "fragments")));
            container.addMapping("/ws/big", (rq, rs, cb) -> new Echo(this, probe(rq), intParam(rq, "bytes"), 0));
            container.addMapping("/ws/firehose", (rq, rs, cb) -> new Firehose(this, probe(rq), intParam(rq, "bytes"),
                    intParam(rq, "fragments")));
        });
        ws.setHandler(new HttpEcho());
        server.setHandler(new Handler.Wrapper(ws) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                requests.incrementAndGet();
                requestHeaders.add(headerMap(request.getHeaders()));
                requestPaths.add(request.getHttpURI().getPath());
                return super.handle(request, response, callback);
            }
        });
    }

    public static JettyUpstream start() throws Exception {
        JettyUpstream u = new JettyUpstream();
        u.server.start();
        return u;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** TCP connections accepted since start. */
    public int accepted() {
        return accepted.get();
    }

    /** HTTP requests and WebSocket upgrade requests received since start. */
    public int requests() {
        return requests.get();
    }

    /** Header maps (lower-case names) of every request received, in order. */
    public List<Map<String, List<String>>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    /** Raw (still percent-encoded) paths of every request received, in order. */
    public List<String> requestPaths() {
        return List.copyOf(requestPaths);
    }

    /** WebSocket sessions currently open on the upstream side. */
    public int openSessions() {
        return openSessions.get();
    }

    /** Messages every firehose connection has finished writing, in total. */
    public long firehoseMessages() {
        return firehoseMessages.get();
    }

    public Map<String, List<String>> awaitHandshake(String probe, Duration timeout) throws Exception {
        return handshakes.computeIfAbsent(probe, k -> new CompletableFuture<>())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public CompletableFuture<CloseRecord> closeOf(String probe) {
        return closes.computeIfAbsent(probe, k -> new CompletableFuture<>());
    }

    /** Abruptly ends every upstream WebSocket connection (no close frame), as a crashing sandbox app would. */
    public void dropAllSessions() {
        for (Session s : sessions) {
            s.disconnect();
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop", e);
        }
    }

    private String probe(ServerUpgradeRequest rq) {
        String probe = Request.extractQueryParameters(rq).getValue("probe");
        if (probe != null) {
            handshakes.computeIfAbsent(probe, k -> new CompletableFuture<>()).complete(headerMap(rq.getHeaders()));
        }
        return probe;
    }

    private static int intParam(ServerUpgradeRequest rq, String name) {
        String v = Request.extractQueryParameters(rq).getValue(name);
        return v == null ? 0 : Integer.parseInt(v);
    }

    static Map<String, List<String>> headerMap(HttpFields fields) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (HttpField f : fields) {
            map.computeIfAbsent(f.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f.getValue());
        }
        return map;
    }

    private void opened(Session s) {
        sessions.add(s);
        openSessions.incrementAndGet();
    }

    private void closed(Session s, String probe, int code, String reason) {
        if (sessions.remove(s)) {
            openSessions.decrementAndGet();
        }
        if (probe != null) {
            closeOf(probe).complete(new CloseRecord(code, reason));
        }
    }

    private final class HttpEcho extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("path", request.getHttpURI().getPath());
            report.put("query", request.getHttpURI().getQuery());
            report.put("headers", headerMap(request.getHeaders()));
            byte[] json = JSON.writeValueAsBytes(report);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(json), callback);
            return true;
        }
    }

    /** Echoes whole messages; optionally greets with one big text message. Public: Jetty needs method handles. */
    public static class Echo implements Session.Listener.AutoDemanding {
        private final JettyUpstream upstream;
        private final String probe;
        private final int greetingBytes;
        private final int fragments;
        private volatile Session session;

        Echo(JettyUpstream upstream, String probe, int greetingBytes, int fragments) {
            this.upstream = upstream;
            this.probe = probe;
            this.greetingBytes = greetingBytes;
            this.fragments = fragments;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            upstream.opened(session);
            if (greetingBytes > 0) {
                session.sendText("x".repeat(greetingBytes), org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.equals("close-me")) {
                session.close(4000, "asked to close", org.eclipse.jetty.websocket.api.Callback.NOOP);
            } else if (fragments > 1) {
                sendFragmented(session, message, fragments, org.eclipse.jetty.websocket.api.Callback.NOOP);
            } else {
                session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            // The buffer is ours only until the callback completes: release it once the echo is written.
            session.sendBinary(payload, callback);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            upstream.closed(session, probe, statusCode, reason);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            upstream.closed(session, probe, 1006, String.valueOf(cause));
        }
    }

    /** Writes messages as fast as the connection takes them. Public: Jetty needs method handles. */
    public static class Firehose implements Session.Listener.AutoDemanding {
        private final JettyUpstream upstream;
        private final String probe;
        private final String message;
        private final int fragments;
        private volatile Session session;

        Firehose(JettyUpstream upstream, String probe, int bytes, int fragments) {
            this.upstream = upstream;
            this.probe = probe;
            this.message = "f".repeat(Math.max(1, bytes));
            this.fragments = fragments;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            upstream.opened(session);
            sendNext();
        }

        private void sendNext() {
            Session s = session;
            if (s == null || !s.isOpen()) {
                return;
            }
            org.eclipse.jetty.websocket.api.Callback next = org.eclipse.jetty.websocket.api.Callback.from(() -> {
                upstream.firehoseMessages.incrementAndGet();
                sendNext();
            }, t -> { });
            if (fragments > 1) {
                sendFragmented(s, message, fragments, next);
            } else {
                s.sendText(message, next);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            upstream.closed(session, probe, statusCode, reason);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            upstream.closed(session, probe, 1006, String.valueOf(cause));
        }
    }

    /** Sends {@code text} as {@code k} frames, each after the previous one was written. */
    static void sendFragmented(Session session, String text, int k,
                               org.eclipse.jetty.websocket.api.Callback done) {
        int size = Math.max(1, (text.length() + k - 1) / k);
        sendFrom(session, text, 0, size, done);
    }

    private static void sendFrom(Session session, String text, int from, int size,
                                 org.eclipse.jetty.websocket.api.Callback done) {
        int to = Math.min(text.length(), from + size);
        boolean last = to == text.length();
        session.sendPartialText(text.substring(from, to), last, last ? done
                : org.eclipse.jetty.websocket.api.Callback.from(() -> sendFrom(session, text, to, size, done), done::fail));
    }
}
