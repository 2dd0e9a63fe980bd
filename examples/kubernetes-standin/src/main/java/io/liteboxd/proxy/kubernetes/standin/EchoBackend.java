package io.liteboxd.proxy.kubernetes.standin;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
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
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The service inside a sandbox: plain HTTP and WebSocket on one port of 127.0.0.1, echoing what it gets and
 * remembering every request's headers so that tests can prove what reached it (and what did not).
 *
 * <p>HTTP: answers 200 with the request body as the response body and {@code X-Echo-Method}, {@code X-Echo-Path}
 * and {@code X-Echo-Query} headers. WebSocket (any path): accepts the first offered subprotocol, echoes text and
 * binary messages; the text {@code close:{code}:{reason}} makes it close with that code; the text
 * {@code handshake} is answered with {@code path={path} query={query} protocol={subprotocol}}.
 */
public final class EchoBackend implements AutoCloseable {

    /** One request as the backend received it. Header names are lower-case. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers,
                           boolean webSocket) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private EchoBackend(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static EchoBackend start() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(32, 4);
        pool.setName("echo-backend");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        // Echo whatever path arrives, %2F included: the tests check that it arrives unchanged.
        http.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        EchoBackend backend = new EchoBackend(server, connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/*", (rq, rs, cb) -> {
                    backend.record(rq, true);
                    List<String> offered = rq.getSubProtocols();
                    String accepted = offered.isEmpty() ? "" : offered.get(0);
                    if (!accepted.isEmpty()) {
                        rs.setAcceptedSubProtocol(accepted);
                    }
                    return new EchoSocket(rq.getHttpURI().getPath(), rq.getHttpURI().getQuery(), accepted);
                }));
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                backend.record(request, false);
                ByteBuffer body = Content.Source.asByteBuffer(request);
                response.setStatus(200);
                response.getHeaders().put("X-Echo-Method", request.getMethod());
                response.getHeaders().put("X-Echo-Path", request.getHttpURI().getPath());
                String query = request.getHttpURI().getQuery();
                response.getHeaders().put("X-Echo-Query", query == null ? "" : query);
                response.getHeaders().put("Content-Type", "application/octet-stream");
                response.write(true, body, callback);
                return true;
            }
        });
        server.setHandler(ws);
        server.start();
        return backend;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Every request received so far, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    private void record(Request request, boolean webSocket) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.computeIfAbsent(f.getLowerCaseName(), k -> new ArrayList<>()).add(f.getValue());
        }
        received.add(new Received(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                headers, webSocket));
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Echoes messages; public and named because Jetty instantiates listeners reflectively. */
    public static final class EchoSocket implements Session.Listener.AutoDemanding {
        private final String path;
        private final String query;
        private final String protocol;
        private Session session;

        EchoSocket(String path, String query, String protocol) {
            this.path = path;
            this.query = query;
            this.protocol = protocol;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.startsWith("close:")) {
                String[] parts = message.split(":", 3);
                session.close(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "",
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
            } else if (message.equals("handshake")) {
                session.sendText("path=" + path + " query=" + query + " protocol=" + protocol,
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
            } else {
                session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            session.sendBinary(copy, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }
}
