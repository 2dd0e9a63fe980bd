package io.liteboxd.proxy.testkit;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A sandbox app for the browser-facing tests, on Jetty core at 127.0.0.1 with an ephemeral port:
 * <ul>
 *   <li>{@code /echo/**}: JSON {@code {path, query, headers}} with the raw path and query and lower-case header
 *       names;</li>
 *   <li>{@code /respond?status=N&h=Name:Value&h=...}: answers with that status and those response headers (values
 *       percent-decoded; repeat {@code h} for several);</li>
 *   <li>WebSocket {@code /ws}: on open sends the JSON of its handshake ({@code {path, query, headers}}), then
 *       echoes text. Its 101 carries {@code Set-Cookie: ws_sid=1; Path=/} and
 *       {@code Set-Cookie: liteboxd_token=planted; Path=/} (a sandbox trying to plant the gateway's cookie).</li>
 * </ul>
 */
public final class BrowserUpstream implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger accepted = new AtomicInteger();

    private BrowserUpstream() {
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("browser-upstream");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http)) {
            @Override
            protected void configure(Socket socket) {
                accepted.incrementAndGet();
                super.configure(socket);
            }
        };
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofSeconds(30));
            container.addMapping("/ws", (rq, rs, cb) -> {
                rs.getHeaders().add(HttpHeader.SET_COOKIE, "ws_sid=1; Path=/");
                rs.getHeaders().add(HttpHeader.SET_COOKIE, "liteboxd_token=planted; Path=/");
                return new UpstreamSockets.HandshakeReport(report(rq.getHttpURI().getPath(),
                        rq.getHttpURI().getQuery(), Upstream.headerMap(rq.getHeaders())));
            });
        });
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = request.getHttpURI().getPath();
                if (path.startsWith("/respond")) {
                    Fields query = Request.extractQueryParameters(request);
                    String status = query.getValue("status");
                    response.setStatus(status == null ? 200 : Integer.parseInt(status));
                    List<String> headers = query.getValues("h");
                    if (headers != null) {
                        for (String h : headers) {
                            int colon = h.indexOf(':');
                            response.getHeaders().add(h.substring(0, colon), h.substring(colon + 1));
                        }
                    }
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                    callback.succeeded();
                    return true;
                }
                byte[] json = report(path, request.getHttpURI().getQuery(), Upstream.headerMap(request.getHeaders()))
                        .getBytes(StandardCharsets.UTF_8);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    out.write(json);
                }
                callback.succeeded();
                return true;
            }
        });
        server.setHandler(ws);
    }

    public static BrowserUpstream start() throws Exception {
        BrowserUpstream upstream = new BrowserUpstream();
        upstream.server.start();
        return upstream;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** TCP connections accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    private static String report(String path, String query, Map<String, List<String>> headers) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("path", path);
        report.put("query", query);
        report.put("headers", headers);
        try {
            return Upstream.JSON.writeValueAsString(report);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
