package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.internal.admission.GatewayRequest;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.admission.SandboxGateway;
import io.liteboxd.proxy.servlet.internal.RequestIds;
import io.liteboxd.proxy.servlet.internal.ErrorResponses;
import io.liteboxd.proxy.servlet.internal.ClientHost;
import io.liteboxd.proxy.servlet.internal.ServletHeaders;
import io.liteboxd.proxy.observe.AccessLog;
import io.liteboxd.proxy.observe.HandshakeEvent;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.observe.ProxyMetrics;
import io.liteboxd.proxy.route.SandboxRoute;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.auth.NavigationLogin;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.internal.http.HttpRelay;
import io.liteboxd.proxy.servlet.internal.jetty.JettyPool;
import io.liteboxd.proxy.servlet.internal.websocket.WebSocketHandshake;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway servlet. Map it at {@code {routePrefix}/*} (default {@code /api/v1/sandbox/*}) with async support;
 * with host-style routes ({@code baseDomain}) it must see every path of the sandbox hosts, so map it at {@code /*}
 * (it then answers path-style routes too, and 400 {@code route_invalid} for anything else). {@link #mapping()}
 * gives the right pattern.
 *
 * <p>Every request takes the same path: route -> authenticate -> resolve -> connect (see {@link SandboxGateway}),
 * then either the HTTP relay or, for a WebSocket upgrade, the WebSocket bridge. Refusals are JSON errors.
 *
 * <p>Two ways to configure it:
 * <ul>
 *   <li>programmatically, with {@link #ProxyServlet(ProxyConfig, TokenAuthenticator, SandboxResolver,
 *       UpstreamConnector)} and {@link ProxyRegistration#register};</li>
 *   <li>from {@code web.xml}, with init-params: one of {@code kubernetes=true} or {@code spiProvider} (an
 *       {@link io.liteboxd.proxy.SpiProvider} found by {@link java.util.ServiceLoader}), {@code sandboxes} (path of
 *       a {@link StaticSandboxes} JSON file), or {@code tokenAuthenticator} + {@code sandboxResolver} (class names
 *       with public no-arg constructors), the last two optionally with {@code upstreamConnector} (default
 *       {@link DirectPodConnector}); plus the settings of {@link ProxyConfig#from}. Each may instead come from the
 *       environment ({@code LITEBOXD_SANDBOXES}, {@code LITEBOXD_TOKEN_AUTHENTICATOR}, ...); the init-param wins.
 *       Conflicting or malformed settings fail the start with a message naming them.</li>
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

    /** Init-param (or {@code LITEBOXD_KUBERNETES}) that builds the SPIs from Kubernetes: see docs/kubernetes.md. */
    public static final String PARAM_KUBERNETES = "kubernetes";
    /**
     * Init-param (or {@code LITEBOXD_SPI_PROVIDER}) naming the {@link io.liteboxd.proxy.SpiProvider} that builds
     * the SPIs; {@code kubernetes=true} is short for {@code spiProvider=kubernetes}.
     */
    public static final String PARAM_SPI_PROVIDER = "spiProvider";

    private ProxyConfig config;
    /** Given to the constructor, or read from settings at {@link #init()}. */
    private transient GatewayBootstrap.Spis spis;
    private ProxyListener listener = ProxyListener.NONE;
    private final ProxyMetrics metrics = new ProxyMetrics();
    private transient ProxyListener events = ProxyListener.NONE;
    private transient AutoCloseable metricsRegistration;
    private transient AutoCloseable spiResources;

    private transient SandboxGateway gateway;
    private transient HttpRelay httpRelay;
    private transient WebSocketHandshake webSockets;

    /** For {@code web.xml}: everything comes from init-params at {@link #init()}. */
    public ProxyServlet() {
    }

    /** For programmatic registration: the SPIs and settings are given. */
    public ProxyServlet(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                        UpstreamConnector connector) {
        this(config, authenticator, resolver, connector, ProxyListener.NONE);
    }

    /**
     * As {@link #ProxyServlet(ProxyConfig, TokenAuthenticator, SandboxResolver, UpstreamConnector)}, with a
     * listener told about every exchange, handshake and WebSocket session (besides the built-in {@link #metrics()}
     * and the access log).
     */
    public ProxyServlet(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                        UpstreamConnector connector, ProxyListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.spis = new GatewayBootstrap.Spis(config, Objects.requireNonNull(authenticator, "authenticator"),
                Objects.requireNonNull(resolver, "resolver"), Objects.requireNonNull(connector, "connector"), null);
    }

    /**
     * The URL pattern this servlet must be mapped at for its configuration: {@code {routePrefix}/*}, or {@code /*}
     * when host-style routes are on. Known before {@link #init()} only when configured programmatically.
     */
    public String mapping() {
        return mapping(config == null ? ProxyConfig.defaults() : config);
    }

    /** The URL pattern a servlet with {@code config} must be mapped at; see {@link #mapping()}. */
    public static String mapping(ProxyConfig config) {
        return config.hostRouting() ? "/*" : config.routePrefix() + "/*";
    }

    @Override
    public void init() throws ServletException {
        try {
            if (spis == null) {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                spis = GatewayBootstrap.fromSettings(this::getInitParameter, System.getenv(),
                        loader != null ? loader : getClass().getClassLoader());
                config = spis.config();
                spiResources = spis.resources();
            }
            events = ProxyListener.all(List.of(metrics, new AccessLog(), listener));
            gateway = new SandboxGateway(config, spis.authenticator(), spis.resolver(), spis.connector());
            // clientThreads=0: the upstream side runs on the container's pool, where the container offers one (Jetty).
            httpRelay = new HttpRelay(config, gateway, spis.connector().sslContext(),
                    config.clientThreads() == 0 ? JettyPool.of(getServletContext()) : null, events);
            // For the Jetty core front end, which stands in front of this servlet and needs the started relay.
            getServletContext().setAttribute(HttpRelay.contextAttribute(this), httpRelay);
            webSockets = new WebSocketHandshake(config, httpRelay.headerPolicy(), httpRelay.httpClient(),
                    getServletContext(), events);
            metricsRegistration = GatewayBootstrap.registerMetrics(metrics, getServletContext().getContextPath() + "/"
                    + getServletName());
            LOG.info("liteboxd-proxy serving {}{} with {}, WebSocket relay {}",
                    getServletContext().getContextPath(), mapping(config), config, webSockets.relayKind());
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
        // Dispatcher type first: the attribute lookup is needed only on the rare async dispatch.
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            HttpRelay.throwIfCutOff(request);
        }
        long started = System.nanoTime();
        String requestId = RequestIds.of(request.getHeader(RequestIds.HEADER));
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        String rawPath = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
        boolean upgrade = HeaderPolicy.isWebSocketUpgrade(Collections.list(request.getHeaders("Connection")),
                Collections.list(request.getHeaders("Upgrade")));
        String host = ClientHost.of(config.trustForwardedHost() ? request.getHeader("X-Forwarded-Host") : null,
                request.getHeader("Host"));
        try {
            if (upgrade) {
                gateway.route(host, rawPath, request.getQueryString());
                WebSocketHandshake.validate(request);
            }
            Admission admission = gateway.admit(new GatewayRequest(request.getMethod(), host, rawPath,
                    request.getQueryString(), Collections.list(request.getHeaders(AccessTokens.HEADER)),
                    Collections.list(request.getHeaders("Cookie")), request.getHeader("Origin"),
                    upgrade ? Transport.WEBSOCKET : Transport.HTTP, contextPath));
            HeaderContext context = ServletHeaders.context(request, admission, host, requestId, upgrade);
            if (upgrade) {
                webSockets.upgrade(request, response, admission, context,
                        refusal -> refuse(request, response, refusal, true, host, rawPath, started, requestId));
                return;
            }
            String location = NavigationLogin.location(admission, request.getMethod(),
                    request.getHeader("Sec-Fetch-Mode"), request.getHeader("Sec-Fetch-Dest"),
                    request.getHeader("Accept"), uri, request.getQueryString());
            if (location == null) {
                httpRelay.relay(request, response, admission, context);
                return;
            }
            response.setStatus(NavigationLogin.STATUS);
            httpRelay.loginRedirect(admission, location, contextPath, request.isSecure(), requestId,
                    response::setHeader, response::addHeader);
            response.setContentLength(0);
            httpRelay.reportAnswered(requestId, admission.route(), request.getMethod(), NavigationLogin.STATUS, null,
                    started);
        } catch (ProxyException e) {
            if (e.status() >= 500) {
                LOG.debug("Refused {} {}: {} {}", request.getMethod(), rawPath, e.status(), e.getMessage(), e);
            }
            refuse(request, response, e, upgrade, host, rawPath, started, requestId);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Unexpected failure serving {} {} (request {})", request.getMethod(), rawPath, requestId, e);
            refuse(request, response, new ProxyException(ProxyError.INTERNAL, "internal gateway error"), upgrade, host,
                    rawPath, started, requestId);
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, ProxyException e, boolean upgrade,
                        String host, String rawPath, long started, String requestId) {
        if (!response.isCommitted()) {
            response.setHeader(RequestIds.HEADER, requestId);
        }
        ErrorResponses.send(response, e, false, false);
        SandboxRoute route = httpRelay.routeOrNull(host, rawPath, request.getQueryString());
        if (upgrade) {
            events.webSocketHandshake(new HandshakeEvent(requestId, route == null ? null : route.sandboxId(),
                    route == null ? 0 : route.port(), e.status(), e.error().code(), null));
        } else {
            httpRelay.reportAnswered(requestId, route, request.getMethod(), e.status(), e.error().code(), started);
        }
    }

    /**
     * Starts a graceful drain: new WebSocket upgrades answer 503, open WebSockets are sent 1001 Going Away, and this
     * waits (at most {@code deadline}) for them to close. HTTP requests in flight are not touched: the container
     * completes them during its own graceful stop. Called by {@link #destroy()} with {@link ProxyConfig#drainTimeout()}.
     *
     * @return true if every WebSocket closed within the deadline
     */
    public boolean drain(Duration deadline) {
        WebSocketHandshake ws = webSockets;
        return ws == null || ws.drain(deadline);
    }

    /** The built-in counters (also registered over JMX as {@code io.liteboxd.proxy:type=ProxyMetrics}). */
    public ProxyMetrics metrics() {
        return metrics;
    }

    @Override
    public void destroy() {
        GatewayBootstrap.close(webSockets, "the WebSocket relays");
        webSockets = null;
        if (httpRelay != null) {
            getServletContext().removeAttribute(HttpRelay.contextAttribute(this));
            httpRelay.close();
            httpRelay = null;
        }
        GatewayBootstrap.close(metricsRegistration, "the JMX registration of the metrics");
        metricsRegistration = null;
        GatewayBootstrap.close(spiResources, "the SPIs' resources");
        spiResources = null;
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
}
