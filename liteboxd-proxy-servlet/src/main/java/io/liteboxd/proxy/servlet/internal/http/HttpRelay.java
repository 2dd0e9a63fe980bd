package io.liteboxd.proxy.servlet.internal.http;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.admission.SandboxGateway;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.internal.auth.NavigationLogin;
import io.liteboxd.proxy.internal.auth.TokenCookie;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.route.SandboxRoute;
import io.liteboxd.proxy.servlet.internal.RequestIds;
import io.liteboxd.proxy.servlet.internal.ServletHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.UpgradeProtocolHandler;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one HTTP engine: every admitted plain HTTP request, with or without a body, to {@code http://} and
 * {@code https://} upstreams, is written onto a kept-alive upstream connection ({@link UpstreamConnections}) and its
 * response parsed with Jetty's HTTP parser and streamed back as it arrives; request bodies stream the other way with
 * backpressure. There are two thin front ends: the servlet API ({@link #relay}, every container) and Jetty's core API
 * in front of the servlet layer (its own package, for the standalone gateway).
 *
 * <p>Started by {@code ProxyServlet} once per servlet, which publishes it to its servlet context under
 * {@link #contextAttribute(Object)} for the Jetty front end. It also owns the upstream {@link HttpClient}, kept only
 * as the source of the {@link ClientConnector} (selectors, connect timeout, TLS) and as the transport of the
 * WebSocket client.
 */
public final class HttpRelay implements AutoCloseable {

    /**
     * Largest upstream response head relayed, in bytes (nginx's default {@code proxy_buffer_size} is one page); a
     * larger one answers 502 {@code upstream_unreachable}. The container adds the gateway's own headers on top, so
     * its response-head limit should be above this (docs/containers.md).
     */
    public static final int MAX_RESPONSE_HEAD = 8192;

    /**
     * Request attribute set before a response that the upstream cut off is dispatched back to the servlet, which then
     * throws {@link ResponseCutOff} ({@link #throwIfCutOff}). The one request attribute the relay needs: outside Jetty
     * no servlet-API call aborts a committed response, but an exception from the servlet makes Tomcat close the
     * connection instead of ending the response normally (Undertow 2.3 still ends it normally; docs/limitations.md).
     */
    private static final String CUT_OFF = HttpRelay.class.getName() + ".cutOff";

    /**
     * Thrown by the servlet on the dispatch that {@link #CUT_OFF} asks for. The container logs it (Jetty at WARN,
     * Tomcat at ERROR, Undertow at DEBUG), so it carries one short line and no stack trace.
     */
    public static final class ResponseCutOff extends IOException {
        private static final long serialVersionUID = 1L;

        ResponseCutOff(Throwable cause) {
            super("the upstream cut its response off (" + brief(cause)
                    + "); the client's connection is closed so that it cannot take the response for a whole one");
        }

        /** Some failures carry a whole connection state in their message: the class and a line are enough. */
        private static String brief(Throwable t) {
            String line = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
            return t.getClass().getSimpleName() + (line.isEmpty() ? "" : ": ")
                    + (line.length() > 120 ? line.substring(0, 120) + "..." : line);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final ProxyConfig config;
    private final SandboxGateway gateway;
    private final HeaderPolicy headerPolicy;
    final ProxyListener listener;
    final ClientBody clientBody = new ClientBody();
    private final HttpClient client;
    final UpstreamConnections connections;

    /**
     * Creates and starts the engine.
     *
     * @param sslContext    the connector's TLS context for {@code https}/{@code wss} upstreams (else the JVM's default)
     * @param containerPool the container's thread pool to run the upstream side on, or null for a pool of its own
     *                      of {@link ProxyConfig#clientThreads()} threads
     * @param listener      told about every relayed exchange when its response is complete
     */
    public HttpRelay(ProxyConfig config, SandboxGateway gateway, Optional<SSLContext> sslContext,
                     Executor containerPool, ProxyListener listener) throws Exception {
        this.config = config;
        this.gateway = gateway;
        this.headerPolicy = HeaderPolicy.of(config);
        this.listener = listener;
        this.client = newClient(config, sslContext, containerPool);
        this.connections = new UpstreamConnections(client.getClientConnector(), client.getSocketAddressResolver(),
                client.getByteBufferPool(), config.requestTimeout(), MAX_RESPONSE_HEAD);
    }

    private static HttpClient newClient(ProxyConfig config, Optional<SSLContext> sslContext, Executor containerPool)
            throws Exception {
        ClientConnector connector = new ClientConnector() {
            @Override
            protected SelectorManager newSelectorManager() {
                return new ClientSelectorManager(getExecutor(), getScheduler(), getSelectors()) {
                    @Override
                    protected ManagedSelector newSelector(int id) {
                        return new RenewingSelector(this, id);
                    }
                };
            }
        };
        connector.setConnectTimeout(config.connectTimeout());
        // A per-read/write stall limit, not a cap on a long download, a watch or an SSE stream.
        connector.setIdleTimeout(config.requestTimeout());
        SslContextFactory.Client tls = new SslContextFactory.Client();
        sslContext.ifPresent(tls::setSslContext);
        connector.setSslContextFactory(tls);
        // Upstreams speak HTTP/1.1 (WebSocket upgrades need it too).
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        if (containerPool != null) {
            client.setExecutor(containerPool);
        } else {
            int threads = config.clientThreads() == 0 ? ProxyConfig.DEFAULT_CLIENT_THREADS : config.clientThreads();
            QueuedThreadPool pool = new QueuedThreadPool(threads);
            pool.setName("liteboxd-http-relay");
            pool.setDaemon(true);
            // Jetty evicts one idle thread per idle timeout by default: a burst would keep its threads for an hour.
            pool.setIdleTimeout(5000);
            pool.setMaxEvictCount(threads);
            client.setExecutor(pool);
        }
        client.setIdleTimeout(config.requestTimeout().toMillis());
        client.setMaxConnectionsPerDestination(32768);
        client.setMaxResponseHeadersSize(MAX_RESPONSE_HEAD);
        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setSocketAddressResolver(new UpstreamConnections.LiteralsFirst(client));
        client.start();
        // The WebSocket client runs on this one: answers pass through untouched except for the upgrade's 101.
        client.getContentDecoderFactories().clear();
        client.getProtocolHandlers().clear();
        client.getProtocolHandlers().put(new UpgradeProtocolHandler());
        return client;
    }

    /** The servlet context attribute under which {@code servlet} (a {@code ProxyServlet}) publishes its relay. */
    public static String contextAttribute(Object servlet) {
        return HttpRelay.class.getName() + "@" + Integer.toHexString(System.identityHashCode(servlet));
    }

    /** The shared upstream client, started: the WebSocket legs' transport. */
    public HttpClient httpClient() {
        return client;
    }

    public HeaderPolicy headerPolicy() {
        return headerPolicy;
    }

    public ProxyConfig config() {
        return config;
    }

    /** The admission core, for the Jetty front end, which admits requests before the servlet layer. */
    public SandboxGateway gateway() {
        return gateway;
    }

    /** Relays one admitted request through the servlet API; returns at once, the exchange completes asynchronously. */
    public void relay(HttpServletRequest request, HttpServletResponse response, Admission admission,
                      HeaderContext context) throws IOException {
        long length = bodyLength(request);
        if (length != 0) {
            clientBody.checkUnread(request);
        }
        new ServletExchange(this, request, response, admission, ServletHeaders.block(request), context, length).start();
    }

    /**
     * The body the servlet request announces: its length, 0 for none, -1 for a body of unknown length (chunked, or
     * HTTP/2 without {@code Content-Length}, where a body is assumed unless the method rarely carries one).
     */
    static long bodyLength(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length >= 0) {
            return length;
        }
        if (request.getHeader("Transfer-Encoding") != null) {
            return -1;
        }
        String m = request.getMethod();
        return request.getProtocol().startsWith("HTTP/1.") || "GET".equals(m) || "HEAD".equals(m) || "DELETE".equals(m)
                || "OPTIONS".equals(m) || "TRACE".equals(m) ? 0 : -1;
    }

    /**
     * The {@code Set-Cookie} value that keeps a credential given as a query parameter or share link, or null.
     *
     * @param contextPath the servlet context's path ("" at the root)
     */
    public String gatewayCookie(String contextPath, boolean secure, Admission admission) {
        if (admission.cookie() == null) {
            return null;
        }
        if (admission.tokenSource() == TokenSource.QUERY) {
            return TokenCookie.setCookie(AccessTokens.COOKIE, admission.cookie(),
                    contextPath + admission.route().sandboxPath(), secure, GatewayCookies.LIFETIME.toSeconds());
        } else if (admission.tokenSource() == TokenSource.SHARE_LINK) {
            // A share link opens one port: its cookie is scoped to that port and ends with the link.
            return TokenCookie.setCookie(ShareLinks.COOKIE, admission.cookie(),
                    contextPath + admission.route().mountPath() + "/", secure,
                    ShareLinks.secondsLeft(admission.cookie(), Clock.systemUTC()));
        }
        return null;
    }

    /**
     * The headers of the answer to a navigation that logged in with a query parameter or share link
     * ({@link NavigationLogin}): a redirect to its URL without the credential, the gateway cookie set. Either front end
     * sets them on its empty {@link NavigationLogin#STATUS} response; nothing is relayed.
     *
     * @param contextPath the servlet context's path ("" at the root)
     * @param set         replaces a field (a filter in front may have set one of these already)
     * @param add         adds the cookie beside any other the response carries
     */
    public void loginRedirect(Admission admission, String location, String contextPath, boolean secure,
                              String requestId, BiConsumer<String, String> set, BiConsumer<String, String> add) {
        set.accept("Location", location);
        NavigationLogin.HEADERS.forEach(set);
        String cookie = gatewayCookie(contextPath, secure, admission);
        if (cookie != null) {
            add.accept("Set-Cookie", cookie);
        }
        set.accept(RequestIds.HEADER, requestId);
    }

    /** The route of a refused request, to name its sandbox in the refusal's event; null when its path has none. */
    public SandboxRoute routeOrNull(String host, String rawPath, String query) {
        try {
            return gateway.route(host, rawPath, query);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Reports an HTTP request the gateway answered itself (a refusal, a login redirect) without a body. */
    public void reportAnswered(String requestId, SandboxRoute route, String method, int status, String code,
                               long startedNanos) {
        listener.httpExchange(new HttpExchangeEvent(requestId, route == null ? null : route.sandboxId(),
                route == null ? 0 : route.port(), method, status, code, 0,
                Duration.ofNanos(System.nanoTime() - startedNanos)));
    }

    /**
     * On the servlet's async dispatch of an exchange whose committed response the upstream cut off: throws, so that
     * the container closes the client's connection.
     */
    public static void throwIfCutOff(HttpServletRequest request) throws ResponseCutOff {
        if (request.getAttribute(CUT_OFF) instanceof Throwable cutOff) {
            throw new ResponseCutOff(cutOff);
        }
    }

    /**
     * Dispatches an async request whose committed response the upstream cut off back to the servlet, which throws
     * {@link ResponseCutOff} on it.
     *
     * @return false if the container refused the dispatch (the async cycle already ended): end it another way
     */
    static boolean dispatchCutOff(HttpServletRequest request, Throwable cause) {
        request.setAttribute(CUT_OFF, cause);
        try {
            request.getAsyncContext().dispatch();
            return true;
        } catch (IllegalStateException e) {
            request.removeAttribute(CUT_OFF);
            return false;
        }
    }

    @Override
    public void close() {
        connections.close();
        try {
            client.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(HttpRelay.class).warn("Stopping the upstream client failed", e);
        }
    }
}
