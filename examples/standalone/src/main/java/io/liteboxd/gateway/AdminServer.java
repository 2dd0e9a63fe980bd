package io.liteboxd.gateway;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.internal.error.ErrorBody;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The admin port: {@code /healthz}, {@code /readyz} and {@code /metrics}. A server of its own, with its own small
 * thread pool, so that no route of the sandbox port can reach it, probes still answer while the gateway's pool is
 * saturated, and it keeps answering (readiness false) while the gateway drains.
 */
final class AdminServer {

    /** Enough for the acceptor, the selector and a few concurrent probes and scrapes. */
    private static final int THREADS = 6;

    static final String HEALTHZ = "/healthz";
    static final String READYZ = "/readyz";
    static final String METRICS = "/metrics";

    /** The Prometheus text exposition format, version 0.0.4, which every Prometheus and agent reads. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Why the gateway is not ready, or {@code null} when it is. */
    interface Readiness extends Supplier<String> {
    }

    private final Server server;
    private final ServerConnector connector;

    private AdminServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    static AdminServer start(String host, int port, PrometheusMeterRegistry registry, Readiness readiness)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2);
        threads.setName("gateway-admin");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(30_000);
        server.addConnector(connector);
        server.setHandler(new AdminHandler(registry, readiness));
        server.setStopTimeout(1_000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // The start failure is the one worth reporting.
            }
            throw e;
        }
        return new AdminServer(server, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    void stop() throws Exception {
        server.stop();
    }

    private static final class AdminHandler extends Handler.Abstract.NonBlocking {
        private final PrometheusMeterRegistry registry;
        private final Readiness readiness;

        AdminHandler(PrometheusMeterRegistry registry, Readiness readiness) {
            this.registry = registry;
            this.readiness = readiness;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean known = path.equals(HEALTHZ) || path.equals(READYZ) || path.equals(METRICS);
            if (!known) {
                return error(response, callback, 404, ProxyError.ROUTE_NOT_FOUND.code(),
                        "admin port: GET " + HEALTHZ + ", " + READYZ + " or " + METRICS);
            }
            String method = request.getMethod();
            boolean head = HttpMethod.HEAD.is(method);
            if (!head && !HttpMethod.GET.is(method)) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                return error(response, callback, 405, ProxyError.BAD_REQUEST.code(), "only GET and HEAD");
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            switch (path) {
                case HEALTHZ -> send(response, callback, 200, ErrorBody.CONTENT_TYPE, "{\"status\":\"up\"}", head);
                case READYZ -> {
                    String reason = readiness.get();
                    if (reason == null) {
                        send(response, callback, 200, ErrorBody.CONTENT_TYPE, "{\"status\":\"ready\"}", head);
                    } else {
                        send(response, callback, 503, ErrorBody.CONTENT_TYPE,
                                "{\"status\":\"not_ready\",\"reason\":\"" + reason + "\"}", head);
                    }
                }
                default -> send(response, callback, 200, PROMETHEUS_TEXT, registry.scrape(), head);
            }
            return true;
        }

        private static boolean error(Response response, Callback callback, int status, String code,
                                     String message) {
            byte[] body = ErrorBody.json(status, code, message);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }

        private static void send(Response response, Callback callback, int status, String type, String text,
                                 boolean head) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        }
    }
}
