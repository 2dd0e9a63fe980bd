package io.liteboxd.proxy.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
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
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real upstream ("the sandbox app") on Jetty 12 core, listening on 127.0.0.1 with an ephemeral port.
 *
 * <p>HTTP endpoints:
 * <ul>
 *   <li>{@code /echo/**} and every path not listed here (any method): JSON {@code {method, path, query,
 *       headers{lower-case name: [values]}, bodyBytes, bodySha256, body}}; {@code path} and {@code query} are the
 *       raw bytes of the request line; the body is read streaming (only the first 64 KiB are kept as text).
 *       {@code ?status=N} sets the status (a value that is no status is ignored, as fuzzed paths reach here too);
 *       {@code HEAD} and {@code OPTIONS} answer without a body, OPTIONS with {@code Allow}.</li>
 *   <li>{@code /stream/**}: writes the request body back verbatim as it arrives.</li>
 *   <li>{@code /download?bytes=N[&seed=S][&chunked=1][&trailers=1]}: {@link TestData} bytes, with
 *       {@code Content-Length} unless chunked; trailers carry {@code X-Sha256}. HEAD sends headers only.</li>
 *   <li>{@code /hop}: a response carrying hop-by-hop headers a gateway must not pass on.</li>
 * </ul>
 * Every response carries {@code X-Upstream: liteboxd-testkit} and {@code X-Echo-Method}.
 *
 * <p>WebSocket endpoints (see {@link UpstreamSockets}): {@code /ws/echo}, {@code /ws/subprotocol},
 * {@code /ws/greet}, {@code /ws/close}, {@code /ws/refuse}, {@code /ws/headers}, {@code /ws/cookies},
 * {@code /ws/big?bytes=N} (one text message of N bytes on open, then echoes) and
 * {@code /ws/firehose?bytes=N} (text messages of N bytes back to back, each after the previous one was written,
 * paced by TCP backpressure only). On the echoing endpoints {@code ?fragments=K} (K at least 1) makes the upstream
 * echo whole messages only, each text message as K frames. A {@code ?probe=ID} query makes the upstream record that
 * connection's handshake headers and the close it received under {@code ID}.
 *
 * <p>It counts every TCP accept, every request (HTTP or WebSocket upgrade) and its open WebSocket sessions, so that
 * a test can prove "no upstream connection attempt" or "no session left open".
 */
public final class Upstream implements AutoCloseable {

    public static final String PREFERRED_SUBPROTOCOL = "chat.v2";
    public static final String GREETING = "welcome from upstream";
    public static final String MARKER_HEADER = "X-Upstream";
    public static final String MARKER_VALUE = "liteboxd-testkit";
    /** The gateway's mount path of any sandbox port, as a regular expression (an app that knows its base path). */
    static final String MOUNTED = "/api/v1/sandbox/[^/]+/port/[0-9]+";

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEXT_BODY_LIMIT = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;
    /** The same endpoints over TLS (certificate: {@link TestTls}), once {@link #startWithTls()} asked for it. */
    private ServerConnector tlsConnector;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong firehoseMessages = new AtomicLong();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Map<String, List<String>>>> handshakes = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<CloseRecord>> closes = new ConcurrentHashMap<>();
    // Static: the HTTP endpoints are a static handler; probes are unique per test.
    private static final Map<String, CompletableFuture<Void>> EVENT_RELEASES = new ConcurrentHashMap<>();

    /** A close frame as one side received it. */
    public record CloseRecord(int code, String reason) {
    }

    /**
     * One request as the upstream received it: raw (still percent-encoded) path and query, header names in lower
     * case, and whether it was a WebSocket upgrade.
     */
    public record Received(String method, String path, String query, Map<String, List<String>> headers,
                           boolean webSocket) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private Upstream() {
        // Enough threads for a few hundred concurrent WebSocket sessions (load tests); idle ones go quickly.
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("upstream");
        threads.setIdleTimeout(2_000);
        threads.setMaxEvictCount(100);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // The upstream must report exactly what the gateway sent, ambiguous %2F included, never reject or normalise.
        http.setUriCompliance(UriCompliance.UNSAFE);
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http)) {
            // Counted at accept, not per Connection object: a WebSocket upgrade replaces the HTTP connection
            // object on the same socket and would be counted twice.
            @Override
            protected void configure(Socket socket) {
                accepted.incrementAndGet();
                super.configure(socket);
            }
        };
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        // Keeps what a stalled connection parks in the kernel small (the machine is shared); the gateway's own
        // buffering is what the tests measure, not the fixture's.
        connector.setAcceptedSendBufferSize(64 * 1024);
        server.addConnector(connector);

        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofMinutes(2));
            container.setMaxTextMessageSize(64L * 1024 * 1024);
            container.setMaxBinaryMessageSize(64L * 1024 * 1024);
            container.addMapping("/ws/echo", (rq, rs, cb) -> new UpstreamSockets.Echo(
                    this, probe(rq), fragments(rq)));
            container.addMapping("/ws/big", (rq, rs, cb) -> new UpstreamSockets.Greeter(
                    this, probe(rq), "x".repeat(intParam(rq, "bytes")), fragments(rq)));
            container.addMapping("/ws/firehose", (rq, rs, cb) -> new UpstreamSockets.Firehose(
                    this, probe(rq), intParam(rq, "bytes"), fragments(rq)));
            container.addMapping("/ws/headers", (rq, rs, cb) -> new UpstreamSockets.HeadersReport(
                    this, probe(rq), headerMap(rq.getHeaders())));
            container.addMapping("^" + MOUNTED + "/ws/headers$", (rq, rs, cb) -> new UpstreamSockets.HeadersReport(
                    this, probe(rq), headerMap(rq.getHeaders())));
            // A 101 that carries what a hostile app might put on it: two cookies (one of them the gateway's own) and
            // origin-wide policies.
            container.addMapping("/ws/cookies", (rq, rs, cb) -> {
                rs.getHeaders().add("Set-Cookie", "first=1; Path=/");
                rs.getHeaders().add("Set-Cookie", "second=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
                rs.getHeaders().add("Set-Cookie", "liteboxd_token=planted; Path=/");
                rs.getHeaders().add("Clear-Site-Data", "\"cookies\"");
                rs.getHeaders().add("NEL", "{\"report_to\":\"x\",\"max_age\":1}");
                return new UpstreamSockets.Echo(this, probe(rq));
            });
            container.addMapping("/ws/greet", (rq, rs, cb) -> new UpstreamSockets.Greeter(this, probe(rq), GREETING));
            container.addMapping("/ws/close", (rq, rs, cb) -> new UpstreamSockets.CloseOnCommand(
                    this, probe(rq), fragments(rq)));
            container.addMapping("/ws/subprotocol", (rq, rs, cb) -> {
                List<String> offered = rq.getSubProtocols();
                String chosen = offered.contains(PREFERRED_SUBPROTOCOL) ? PREFERRED_SUBPROTOCOL
                        : offered.isEmpty() ? null : offered.get(0);
                if (chosen != null) {
                    rs.setAcceptedSubProtocol(chosen);
                }
                return new UpstreamSockets.SubprotocolReport(this, probe(rq));
            });
            container.addMapping("/ws/refuse", (rq, rs, cb) -> {
                probe(rq);
                Response.writeError(rq, rs, cb, 403, "upstream refuses this handshake");
                return null;
            });
        });
        ws.setHandler(new HttpEndpoints());
        server.setHandler(new Handler.Wrapper(ws) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                received.add(new Received(request.getMethod(), request.getHttpURI().getPath(),
                        request.getHttpURI().getQuery(), headerMap(request.getHeaders()),
                        request.getHeaders().contains(HttpHeader.UPGRADE, "websocket")));
                return super.handle(request, response, callback);
            }
        });
    }

    /** Starts a fresh upstream; close it when done. */
    public static Upstream start() throws Exception {
        Upstream upstream = new Upstream();
        upstream.server.start();
        return upstream;
    }

    /** Starts a fresh upstream that also serves its HTTP endpoints over TLS on {@link #tlsPort()}. */
    public static Upstream startWithTls() throws Exception {
        Upstream upstream = new Upstream();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(TestTls.keyStore());
        tls.setKeyStorePassword(TestTls.PASSWORD);
        HttpConfiguration https = new HttpConfiguration();
        https.setUriCompliance(UriCompliance.UNSAFE);
        https.setSendServerVersion(false);
        upstream.tlsConnector = new ServerConnector(upstream.server, 1, 1,
                new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
        upstream.tlsConnector.setHost("127.0.0.1");
        upstream.tlsConnector.setPort(0);
        upstream.server.addConnector(upstream.tlsConnector);
        upstream.server.start();
        return upstream;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The TLS port, with {@link #startWithTls()}. */
    public int tlsPort() {
        return tlsConnector.getLocalPort();
    }

    /** TCP connections this upstream has accepted since it started. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** HTTP requests and WebSocket upgrade requests received since start. */
    public int requests() {
        return received.size();
    }

    /** Every request received (HTTP or WebSocket upgrade), oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The last request received; fails if there was none. */
    public Received lastReceived() {
        List<Received> all = received();
        if (all.isEmpty()) {
            throw new AssertionError("the upstream received no request");
        }
        return all.get(all.size() - 1);
    }

    /** Raw (still percent-encoded) paths of every request received, in order. */
    public List<String> requestPaths() {
        return received().stream().map(Received::path).toList();
    }

    /** WebSocket sessions currently open on the upstream side. */
    public int openSessions() {
        return sessions.size();
    }

    /** Messages every {@code /ws/firehose} connection has finished writing, in total. */
    public long firehoseMessages() {
        return firehoseMessages.get();
    }

    /** Abruptly ends every upstream WebSocket connection (no close frame), as a crashing sandbox app would. */
    public void dropAllSessions() {
        for (Session s : sessions) {
            s.disconnect();
        }
    }

    /** Lets {@code /events?probe=id} send its second event (it waits for this after flushing the first). */
    public static void releaseEvents(String probe) {
        EVENT_RELEASES.computeIfAbsent(probe, k -> new CompletableFuture<>()).complete(null);
    }

    /** The handshake headers (lower-case names) of the WebSocket connection tagged {@code ?probe=id}. */
    public Map<String, List<String>> awaitHandshake(String probe, Duration timeout) throws Exception {
        return handshakes.computeIfAbsent(probe, k -> new CompletableFuture<>())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The close frame the upstream received (or its local close status) on the connection tagged {@code probe}. */
    public CloseRecord awaitClose(String probe, Duration timeout) throws Exception {
        return closeOf(probe).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes with what {@link #awaitClose} returns, for a test that waits on several at once. */
    public CompletableFuture<CloseRecord> closeOf(String probe) {
        return closes.computeIfAbsent(probe, k -> new CompletableFuture<>());
    }

    void opened(Session session) {
        sessions.add(session);
    }

    void recordClose(Session session, String probe, int code, String reason) {
        sessions.remove(session);
        if (probe != null) {
            closeOf(probe).complete(new CloseRecord(code, reason));
        }
    }

    void firehoseMessageWritten() {
        firehoseMessages.incrementAndGet();
    }

    private static int intParam(ServerUpgradeRequest rq, String name) {
        String v = Request.extractQueryParameters(rq).getValue(name);
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static int fragments(ServerUpgradeRequest rq) {
        return intParam(rq, "fragments");
    }

    private String probe(ServerUpgradeRequest rq) {
        Fields query = Request.extractQueryParameters(rq);
        String probe = query.getValue("probe");
        if (probe != null) {
            handshakes.computeIfAbsent(probe, k -> new CompletableFuture<>()).complete(headerMap(rq.getHeaders()));
        }
        return probe;
    }

    static Map<String, List<String>> headerMap(HttpFields fields) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (HttpField f : fields) {
            map.computeIfAbsent(f.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f.getValue());
        }
        return map;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the upstream", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the upstream", e);
        }
    }

    /** The plain HTTP side; blocking I/O is fine here, this is a test fixture with its own pool. */
    private static final class HttpEndpoints extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            // An app configured with the gateway's route prefix as its base path serves under it (keep-prefix).
            String path = request.getHttpURI().getPath().replaceFirst("^" + MOUNTED, "");
            response.getHeaders().put(MARKER_HEADER, MARKER_VALUE);
            response.getHeaders().put("X-Echo-Method", request.getMethod());
            Fields query = Request.extractQueryParameters(request);
            if (path.equals("/stream") || path.startsWith("/stream/")) {
                stream(request, response);
            } else if (path.equals("/download")) {
                download(request, response, query);
            } else if (path.equals("/hop")) {
                hop(response);
            } else if (path.equals("/events")) {
                events(response, query.getValue("probe"));
            } else {
                echo(request, response, query);
            }
            callback.succeeded();
            return true;
        }

        private static void echo(Request request, Response response, Fields query) throws IOException {
            // Fuzzed paths reach this endpoint too: a query that is no instruction is only reported, never a 500.
            String statusParam = query.getValue("status");
            int status = statusParam != null && statusParam.matches("[1-5][0-9][0-9]") ? Integer.parseInt(statusParam)
                    : 200;
            // ?header=Name:value adds a response header, as an app of the test's choosing would.
            for (String header : query.getValuesOrEmpty("header")) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    response.getHeaders().add(header.substring(0, colon), header.substring(colon + 1));
                }
            }
            String method = request.getMethod();
            MessageDigest md = TestData.sha256Digest();
            long total = 0;
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[64 * 1024];
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            try (InputStream in = Content.Source.asInputStream(request)) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                    int keep = (int) Math.max(0, Math.min(n, TEXT_BODY_LIMIT - total));
                    head.write(buf, 0, keep);
                    total += n;
                }
            }
            text.append(head.toString(StandardCharsets.UTF_8));
            response.setStatus(status);
            if (method.equals("OPTIONS")) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST, PUT, DELETE, OPTIONS");
            }
            if (method.equals("HEAD") || method.equals("OPTIONS") || status == 204 || status == 304) {
                return;
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("method", method);
            report.put("path", request.getHttpURI().getPath());
            report.put("query", request.getHttpURI().getQuery());
            report.put("headers", headerMap(request.getHeaders()));
            report.put("bodyBytes", total);
            report.put("bodySha256", HexFormat.of().formatHex(md.digest()));
            report.put("body", text.toString());
            byte[] json = JSON.writeValueAsBytes(report);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                out.write(json);
            }
        }

        private static void stream(Request request, Response response) throws IOException {
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = Content.Source.asInputStream(request);
                 OutputStream out = Content.Sink.asOutputStream(response)) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    // Flush per chunk so the echo really streams instead of buffering the whole body.
                    out.flush();
                }
            }
        }

        private static void download(Request request, Response response, Fields query) throws IOException {
            long bytes = Long.parseLong(query.getValue("bytes"));
            long seed = query.getValue("seed") == null ? 1 : Long.parseLong(query.getValue("seed"));
            boolean chunked = "1".equals(query.getValue("chunked"));
            boolean trailers = "1".equals(query.getValue("trailers"));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            if (!chunked) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes);
            }
            if (request.getMethod().equals("HEAD")) {
                return;
            }
            if (trailers) {
                response.getHeaders().put(HttpHeader.TRAILER, "X-Sha256");
                String sha = TestData.sha256(bytes, seed);
                response.setTrailersSupplier(() -> HttpFields.build().put("X-Sha256", sha));
            }
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = TestData.stream(bytes, seed);
                 OutputStream out = Content.Sink.asOutputStream(response)) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        }

        /**
         * A server-sent event stream that sends its second event only after the test saw the first: a relay that
         * holds content back until more arrives never shows the first event, and the test times out.
         */
        private static void events(Response response, String probe) throws Exception {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                out.write("data: first\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
                EVENT_RELEASES.computeIfAbsent(probe, k -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
                out.write("data: second\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } finally {
                EVENT_RELEASES.remove(probe);
            }
        }

        private static void hop(Response response) throws IOException {
            HttpFields.Mutable h = response.getHeaders();
            h.put("X-Up-Hop", "must-not-pass");
            h.put(HttpHeader.CONNECTION, "X-Up-Hop");
            h.put(HttpHeader.KEEP_ALIVE, "timeout=99, max=7");
            h.put("X-Up-End", "kept");
            byte[] body = "hop".getBytes(StandardCharsets.US_ASCII);
            h.put(HttpHeader.CONTENT_LENGTH, body.length);
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                out.write(body);
            }
        }
    }
}
