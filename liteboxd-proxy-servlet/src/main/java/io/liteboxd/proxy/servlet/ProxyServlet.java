package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.SandboxGateway;
import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.header.HeaderPolicy;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.http.HttpRelay;
import io.liteboxd.proxy.servlet.websocket.WebSocketHandshake;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway servlet. Map it at {@code {routePrefix}/*} (default {@code /api/v1/sandbox/*}) with async support.
 *
 * <p>Every request takes the same path: route -> authenticate -> resolve -> connect (see {@link SandboxGateway}),
 * then either the HTTP relay or, for a WebSocket upgrade, the WebSocket bridge. Refusals are JSON errors.
 *
 * <p>Two ways to configure it:
 * <ul>
 *   <li>programmatically, with {@link #ProxyServlet(ProxyConfig, TokenAuthenticator, SandboxResolver,
 *       UpstreamConnector)} and {@link ProxyRegistration#register};</li>
 *   <li>from {@code web.xml}, with init-params: either {@code sandboxes} (path of a {@link StaticSandboxes} JSON
 *       file) or {@code tokenAuthenticator} + {@code sandboxResolver} (class names with public no-arg
 *       constructors), optionally {@code upstreamConnector} (default {@link DirectPodConnector}), plus the
 *       settings of {@link ProxyConfig#from}.</li>
 * </ul>
 * The container must support Jakarta WebSocket ({@code ServerContainer} in the servlet context) for upgrades.
 */
public class ProxyServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServlet.class);

    /** Init-param naming a static sandboxes JSON file. */
    public static final String PARAM_SANDBOXES = "sandboxes";
    /** Init-param naming a {@link TokenAuthenticator} class. */
    public static final String PARAM_AUTHENTICATOR = "tokenAuthenticator";
    /** Init-param naming a {@link SandboxResolver} class. */
    public static final String PARAM_RESOLVER = "sandboxResolver";
    /** Init-param naming an {@link UpstreamConnector} class. */
    public static final String PARAM_CONNECTOR = "upstreamConnector";

    private ProxyConfig config;
    private TokenAuthenticator authenticator;
    private SandboxResolver resolver;
    private UpstreamConnector connector;

    private transient SandboxGateway gateway;
    private transient HttpRelay httpRelay;
    private transient WebSocketHandshake webSockets;
    private transient ExecutorService blockingSends;

    /** For {@code web.xml}: everything comes from init-params at {@link #init()}. */
    public ProxyServlet() {
    }

    /** For programmatic registration: the SPIs and settings are given. */
    public ProxyServlet(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                        UpstreamConnector connector) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
        this.resolver = java.util.Objects.requireNonNull(resolver, "resolver");
        this.connector = java.util.Objects.requireNonNull(connector, "connector");
    }

    /** The route prefix this servlet serves (known before {@link #init()} only when configured programmatically). */
    public String routePrefix() {
        return config == null ? ProxyConfig.DEFAULT_ROUTE_PREFIX : config.routePrefix();
    }

    @Override
    public void init() throws ServletException {
        try {
            if (config == null) {
                configureFromInitParams();
            }
            gateway = new SandboxGateway(config, authenticator, resolver, connector);
            httpRelay = new HttpRelay(config, connector.sslContext());
            httpRelay.start(getServletContext());
            blockingSends = newBlockingSendExecutor(config.clientThreads());
            webSockets = new WebSocketHandshake(config, httpRelay.httpClient(), blockingSends, getServletContext());
            LOG.info("liteboxd-proxy serving {}/* with {}, WebSocket relay {}",
                    getServletContext().getContextPath() + config.routePrefix(), config, webSockets.relayKind());
        } catch (ServletException e) {
            destroy();
            throw e;
        } catch (Exception e) {
            destroy();
            throw new ServletException("liteboxd-proxy failed to start: " + e.getMessage(), e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String rawPath = rawPathInContext(request);
        boolean upgrade = HeaderPolicy.isWebSocketUpgrade(Collections.list(request.getHeaders("Connection")),
                Collections.list(request.getHeaders("Upgrade")));
        try {
            if (upgrade) {
                gateway.route(rawPath, request.getQueryString());
                WebSocketHandshake.validate(request);
            }
            Admission admission = gateway.admit(rawPath, request.getQueryString(),
                    Collections.list(request.getHeaders(AccessTokens.HEADER)),
                    upgrade ? Transport.WEBSOCKET : Transport.HTTP);
            if (upgrade) {
                webSockets.upgrade(request, response, admission);
            } else {
                httpRelay.relay(request, response, admission);
            }
        } catch (ProxyException e) {
            if (e.status() >= 500) {
                LOG.debug("Refused {} {}: {} {}", request.getMethod(), rawPath, e.status(), e.getMessage(), e);
            }
            ErrorResponses.send(response, e);
        } catch (ServletException | RuntimeException e) {
            LOG.error("Unexpected failure serving {} {}", request.getMethod(), rawPath, e);
            ErrorResponses.send(response, new ProxyException(ProxyError.INTERNAL, "internal gateway error"));
        }
    }

    @Override
    public void destroy() {
        if (webSockets != null) {
            try {
                webSockets.close();
            } catch (Exception e) {
                LOG.warn("Stopping the WebSocket client failed", e);
            }
            webSockets = null;
        }
        if (httpRelay != null) {
            httpRelay.destroy();
            httpRelay = null;
        }
        if (blockingSends != null) {
            blockingSends.shutdown();
            blockingSends = null;
        }
    }

    /** Which WebSocket relay this servlet chose at start (see {@link ProxyConfig.WebSocketRelay}), for logs and tests. */
    public String webSocketRelay() {
        WebSocketHandshake ws = webSockets;
        return ws == null ? "not started" : ws.relayKind();
    }

    /** Open WebSocket bridges right now (for monitoring and tests). */
    public int openWebSockets() {
        WebSocketHandshake ws = webSockets;
        return ws == null ? 0 : ws.openRelays();
    }

    private static String rawPathInContext(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private static ExecutorService newBlockingSendExecutor(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "liteboxd-ws-send-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    private void configureFromInitParams() throws ServletException {
        try {
            config = ProxyConfig.from(this::getInitParameter, System.getenv());
        } catch (IllegalArgumentException e) {
            throw new ServletException("liteboxd-proxy: bad init-param: " + e.getMessage());
        }
        String sandboxes = getInitParameter(PARAM_SANDBOXES);
        if (sandboxes != null && !sandboxes.isBlank()) {
            StaticSandboxes statics;
            try {
                statics = StaticSandboxes.load(Path.of(sandboxes.trim()));
            } catch (IllegalArgumentException e) {
                throw new ServletException("liteboxd-proxy: init-param " + PARAM_SANDBOXES + ": " + e.getMessage());
            }
            authenticator = statics.authenticator();
            resolver = statics.resolver();
        } else {
            authenticator = instantiate(PARAM_AUTHENTICATOR, TokenAuthenticator.class, null);
            resolver = instantiate(PARAM_RESOLVER, SandboxResolver.class, null);
        }
        connector = instantiate(PARAM_CONNECTOR, UpstreamConnector.class, new DirectPodConnector());
    }

    private <T> T instantiate(String param, Class<T> type, T fallback) throws ServletException {
        String className = getInitParameter(param);
        if (className == null || className.isBlank()) {
            if (fallback != null) {
                return fallback;
            }
            throw new ServletException("liteboxd-proxy: set init-param " + PARAM_SANDBOXES + ", or both "
                    + PARAM_AUTHENTICATOR + " and " + PARAM_RESOLVER + " (missing " + param + ")");
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> c = Class.forName(className.trim(), true, loader != null ? loader : getClass().getClassLoader());
            if (!type.isAssignableFrom(c)) {
                throw new ServletException("liteboxd-proxy: init-param " + param + ": " + className + " does not implement "
                        + type.getName());
            }
            return type.cast(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new ServletException("liteboxd-proxy: init-param " + param + ": cannot create " + className + ": " + e);
        }
    }
}
