package io.liteboxd.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.kubernetes.ApiServerProxyConnector;
import io.liteboxd.proxy.kubernetes.KubernetesAccess;
import io.liteboxd.proxy.kubernetes.KubernetesGateway;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.observe.micrometer.MicrometerProxyListener;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.jetty.JettyHttpHandler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway process minus its command line: an embedded Jetty 12 (ee10) serving the library's
 * {@link ProxyServlet} in one of the set-ups of {@link GatewayMode}: the demo sandbox, a sandboxes file, or
 * Kubernetes. Start with {@link #start}, stop with {@link #stop}; usable from tests with port 0.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /**
     * The gateway's one thread pool (server and upstream client, {@code clientThreads=0}), fixed in size: every relay
     * path is non-blocking, so threads are sized for the cores rather than the connections, and the count is the same
     * with one connection open or ten thousand. Bounded, so a flood queues instead of growing threads.
     */
    static final int THREADS = 64;

    /** Bytes one read of a client connection takes: the relay's largest upstream write of a request body. */
    static final int REQUEST_READ_SIZE = 64 * 1024;

    /** Room for the relay's largest upstream head (8 KiB) plus the headers the gateway adds. */
    static final int RESPONSE_HEADER_SIZE = 16 * 1024;

    /** How long a stop waits for in-flight HTTP requests before closing their connections. */
    static final long STOP_TIMEOUT_MS = 10_000;

    /**
     * How long start-up waits for the first pod list in Kubernetes mode. Bounded, and not fatal when exceeded: the
     * informer keeps retrying and requests answer 503 until it succeeds, as they would after a later outage.
     */
    static final Duration POD_LIST_WAIT = Duration.ofSeconds(10);

    // DNS-1123 subdomain, what the API server accepts as a pod name; checked at start rather than per request.
    private static final Pattern POD_NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final GatewayOptions options;
    private final GatewayMode mode;
    private final ProxyConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final ProxyServlet servlet;
    private final Backend backend;
    private final ConnectionCaps caps;
    private final PrometheusMeterRegistry meters;
    private volatile AdminServer admin;
    /** Set when a stop begins, so that {@code /readyz} turns false before anything closes. */
    private volatile boolean draining;

    private GatewayServer(GatewayOptions options, GatewayMode mode, ProxyConfig config, Server server,
                          ServerConnector connector, ProxyServlet servlet, Backend backend, ConnectionCaps caps,
                          PrometheusMeterRegistry meters) {
        this.options = options;
        this.mode = mode;
        this.config = config;
        this.server = server;
        this.connector = connector;
        this.servlet = servlet;
        this.backend = backend;
        this.caps = caps;
        this.meters = meters;
    }

    /**
     * Starts with an empty environment: the demo, or the sandboxes file, or whatever the Kubernetes flags of
     * {@code options} select on their own. The machine's environment is not consulted.
     *
     * @throws GatewayStartException with a one-line reason: unreadable sandbox file, address in use, ...
     */
    public static GatewayServer start(GatewayOptions options) throws GatewayStartException {
        return start(options, Map.of());
    }

    /**
     * Selects the mode from {@code options} and {@code env} ({@link GatewayMode#select}), then starts it.
     *
     * @param env the process environment, {@code System.getenv()} in production
     * @throws GatewayStartException with a one-line reason: unreadable sandbox file, no kubeconfig for
     *                               {@code --k8s-proxy}, address in use, ...
     */
    public static GatewayServer start(GatewayOptions options, Map<String, String> env) throws GatewayStartException {
        return start(options, GatewayMode.select(options, env));
    }

    /**
     * Loads the sandboxes, starts the demo or the pod informer as {@code mode} says, then starts listening.
     *
     * @throws GatewayStartException with a one-line reason
     */
    public static GatewayServer start(GatewayOptions options, GatewayMode mode) throws GatewayStartException {
        ProxyConfig config = withSigningKey(options.proxyConfig(), options.deploy());
        Backend backend = Backend.open(options, mode);
        PrometheusMeterRegistry meters = options.deploy().adminEnabled()
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : null;

        QueuedThreadPool threads = new QueuedThreadPool(THREADS, THREADS);
        threads.setName("gateway");
        Server server = new Server(threads);
        HttpConfiguration http = PassthroughHttp.configuration();
        // An upstream head of the relay's largest plus the gateway's own headers must fit, or the container fails the
        // response after the relay committed to it.
        http.setResponseHeaderSize(RESPONSE_HEADER_SIZE);
        LimitOptions limits = options.limits();
        HeadDeadlineConnectionFactory http1 = new HeadDeadlineConnectionFactory(http, limits.headerTimeout());
        // A request body is read a buffer at a time, each read one pass through Jetty's parser and the relay's pump:
        // a buffer the size of the relay's upstream writes makes an upload one read per write instead of eight. The
        // buffer is pooled and held only while a connection has unparsed bytes, never by an idle one.
        http1.setInputBufferSize(REQUEST_READ_SIZE);
        ServerConnector connector = new SelectorAcceptConnector(server, http1);
        ConnectionCaps caps = null;
        if (limits.maxConnections() > 0 || limits.maxConnectionsPerIp() > 0) {
            caps = new ConnectionCaps(limits.maxConnections(), limits.maxConnectionsPerIp());
            connector.addEventListener(caps);
        }
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(config.requestTimeout().toMillis());
        server.addConnector(connector);
        server.setStopTimeout(STOP_TIMEOUT_MS);
        // Errors Jetty answers itself (bad request heads, unmapped paths, failed responses): JSON, no URI echoed.
        JsonErrorHandler errors = new JsonErrorHandler();
        server.setErrorHandler(errors);
        ProxyServlet servlet;
        try {
            servlet = new ProxyServlet(config, backend.authenticator, backend.resolver, backend.connector,
                    meters == null ? ProxyListener.NONE : new MicrometerProxyListener(meters));
            ServletContextHandler context = proxyContext(servlet);
            context.setErrorHandler(errors);
            // Plain HTTP requests skip the servlet layer, and run on the selector thread that read them: every SPI
            // here serves from memory (the sandboxes file, the informer's cache) and never blocks.
            server.setHandler(new GracefulHandler(new JettyHttpHandler(servlet, context.getContextPath(), context,
                    true)));
            server.start();
            if (!context.isAvailable()) {
                throw new IllegalStateException("the proxy servlet context did not start (see the log above)");
            }
        } catch (Exception e) {
            stopQuietly(server);
            backend.close();
            throw startFailure(options, e);
        }

        GatewayServer gateway = new GatewayServer(options, mode, config, server, connector, servlet, backend, caps,
                meters);
        if (meters != null) {
            gateway.startAdmin();
        }
        LOG.info("liteboxd-gateway listening on {}, mode: {}, WebSocket relay: {}", gateway.baseUri(),
                mode.kind().description(), servlet.webSocketRelay());
        return gateway;
    }

    /** The shared key of {@code --signing-key-file}, if given, signs both cookies and share links. */
    private static ProxyConfig withSigningKey(ProxyConfig config, DeployOptions deploy) throws GatewayStartException {
        if (deploy.signingKeyFile() == null) {
            return config;
        }
        String key = SigningKey.read(deploy.signingKeyFile());
        return config.toBuilder().cookieSecret(key).shareLinkSecret(key).build();
    }

    /** Binds the admin port; on failure stops everything started so far, since the probes would never answer. */
    private void startAdmin() throws GatewayStartException {
        FunctionCounter.builder("liteboxd.connections.refused", this, GatewayServer::refusedConnections)
                .description("client connections closed at once because a connection cap was reached")
                .register(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        try {
            admin = AdminServer.start(options.host(), options.deploy().adminPort(), meters, this::notReadyReason);
        } catch (Exception e) {
            stop();
            String where = (options.host().indexOf(':') >= 0 ? "[" + options.host() + "]" : options.host())
                    + ":" + options.deploy().adminPort();
            throw new GatewayStartException("cannot listen on " + where + " (--admin-port): " + reason(e), e);
        }
    }

    /** Why {@code /readyz} says no, or {@code null} when this replica should get traffic. */
    private String notReadyReason() {
        if (draining) {
            return "draining";
        }
        if (!server.isStarted()) {
            return "starting";
        }
        return podsListed() ? null : "pods_not_listed";
    }

    /** What stands behind the servlet in one mode: who authenticates, resolves and connects, and what to stop. */
    private static final class Backend {
        final TokenAuthenticator authenticator;
        final SandboxResolver resolver;
        final UpstreamConnector connector;
        final DemoSandbox demo;
        final KubernetesGateway kubernetes;
        final KubernetesAccess access;
        /** Static sandbox ids, sorted; empty in Kubernetes mode (pods come and go). */
        final List<String> sandboxIds;
        /** Each static sandbox's pod name, in the sandboxes-file mode through the API server only. */
        final Map<String, String> podNames;

        private Backend(TokenAuthenticator authenticator, SandboxResolver resolver, UpstreamConnector connector,
                        DemoSandbox demo, KubernetesGateway kubernetes, KubernetesAccess access,
                        List<String> sandboxIds, Map<String, String> podNames) {
            this.authenticator = authenticator;
            this.resolver = resolver;
            this.connector = connector;
            this.demo = demo;
            this.kubernetes = kubernetes;
            this.access = access;
            this.sandboxIds = sandboxIds;
            this.podNames = podNames;
        }

        private static Backend ofStatic(StaticSandboxes sandboxes, UpstreamConnector connector, DemoSandbox demo,
                                        KubernetesAccess access, Map<String, String> podNames) {
            List<String> ids = sandboxes.entries().stream().map(e -> e.sandbox().id()).sorted().toList();
            return new Backend(sandboxes.authenticator(), sandboxes.resolver(), connector, demo, null, access, ids,
                    podNames);
        }

        static Backend open(GatewayOptions options, GatewayMode mode) throws GatewayStartException {
            KubernetesSettings k8s = mode.kubernetes();
            switch (mode.kind()) {
                case DEMO: {
                    DemoSandbox demo = startDemo();
                    return ofStatic(new StaticSandboxes(List.of(demo.entry())), new DirectPodConnector(), demo, null,
                            Map.of());
                }
                case SANDBOXES:
                    return ofStatic(loadSandboxes(options), new DirectPodConnector(), null, null, Map.of());
                case SANDBOXES_VIA_API_SERVER: {
                    StaticSandboxes sandboxes = loadSandboxes(options);
                    Map<String, String> podNames = podNames(sandboxes, options.sandboxesFile(), k8s);
                    KubernetesAccess access = access(mode);
                    UpstreamConnector connector = new ApiServerProxyConnector(access, k8s.namespace(),
                            id -> Optional.ofNullable(podNames.get(id)));
                    return ofStatic(sandboxes, connector, null, access, podNames);
                }
                case KUBERNETES:
                case KUBERNETES_VIA_API_SERVER: {
                    KubernetesAccess access = access(mode);
                    KubernetesGateway kubernetes = startKubernetes(access, k8s);
                    return new Backend(kubernetes.authenticator(), kubernetes.resolver(), kubernetes.connector(),
                            null, kubernetes, access, List.of(), Map.of());
                }
                default:
                    throw new IllegalStateException("mode not handled: " + mode.kind());
            }
        }

        /** Stops the pod informer and the demo sandbox; safe to call again. */
        void close() {
            if (kubernetes != null) {
                try {
                    kubernetes.close();
                } catch (RuntimeException e) {
                    LOG.warn("Error while stopping the pod informer", e);
                }
            }
            if (demo != null) {
                stopQuietly(demo);
            }
        }
    }

    private static KubernetesAccess access(GatewayMode mode) throws GatewayStartException {
        try {
            return mode.kubeconfig().load(mode.kubernetes().tokenRefreshPeriod());
        } catch (RuntimeException e) {
            // The library's message names the file or the in-cluster setting and the problem.
            throw new GatewayStartException("cannot load Kubernetes credentials: " + firstLine(e.getMessage()), e);
        }
    }

    /** The pod informer and the SPIs on it, with the library's own factory; waits a bounded time for the list. */
    private static KubernetesGateway startKubernetes(KubernetesAccess access, KubernetesSettings k8s)
            throws GatewayStartException {
        KubernetesGateway kubernetes;
        try {
            kubernetes = KubernetesGateway.start(access, k8s);
        } catch (RuntimeException e) {
            throw new GatewayStartException("cannot start the pod informer: " + reason(e), e);
        }
        try {
            if (!kubernetes.resolver().awaitSynced(POD_LIST_WAIT)) {
                LOG.warn("The pods of namespace {} have not been listed within {} (see the warnings above);"
                        + " requests answer 503 until they are", k8s.namespace(), POD_LIST_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kubernetes.close();
            throw new GatewayStartException("interrupted while listing the sandbox pods", e);
        }
        return kubernetes;
    }

    /**
     * The pod name of each static sandbox, which the API server must be asked for: the entry's own {@code podName}
     * if the file gives one, else {@code --pod-name-prefix} + id ({@code sandbox-{id}} by default). Every name is
     * checked here so a bad one fails the start, not each request.
     */
    private static Map<String, String> podNames(StaticSandboxes sandboxes, Path file, KubernetesSettings k8s)
            throws GatewayStartException {
        Map<String, String> named = podNamesInFile(file);
        Map<String, String> podNames = new LinkedHashMap<>();
        sandboxes.entries().stream().map(e -> e.sandbox().id()).sorted().forEach(id ->
                podNames.put(id, named.getOrDefault(id, k8s.podName(id))));
        for (Map.Entry<String, String> e : podNames.entrySet()) {
            String pod = e.getValue();
            if (pod.length() > 253 || !POD_NAME.matcher(pod).matches()) {
                throw new GatewayStartException("cannot load sandboxes: " + file + ": sandbox " + e.getKey()
                        + ": pod name is not a valid Kubernetes name: " + pod);
            }
        }
        return Collections.unmodifiableMap(podNames);
    }

    /** The {@code podName} of each entry that has one; the library's loader checks and skips that field. */
    private static Map<String, String> podNamesInFile(Path file) throws GatewayStartException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            // The loader has just read the same file; this only fails if it changed or vanished in between.
            throw new GatewayStartException("cannot load sandboxes: " + file + ": " + reason(e), e);
        }
        Map<String, String> named = new HashMap<>();
        for (JsonNode node : root.path("sandboxes")) {
            if (node.hasNonNull("podName")) {
                named.put(node.path("id").asText(), node.get("podName").asText());
            }
        }
        return named;
    }

    private static DemoSandbox startDemo() throws GatewayStartException {
        try {
            return DemoSandbox.start();
        } catch (Exception e) {
            throw new GatewayStartException("cannot start the demo sandbox: " + reason(e), e);
        }
    }

    private static StaticSandboxes loadSandboxes(GatewayOptions options) throws GatewayStartException {
        try {
            return StaticSandboxes.load(options.sandboxesFile());
        } catch (IllegalArgumentException e) {
            // The loader's message already names the file and the problem; a stack trace would add nothing.
            throw new GatewayStartException("cannot load sandboxes: " + e.getMessage());
        }
    }

    private static ServletContextHandler proxyContext(ProxyServlet servlet) {
        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.NO_SESSIONS);
        // Otherwise the servlet layer answers 400 to the %2F paths the connector was configured to accept.
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        // No Jakarta WebSocket container: on Jetty the gateway relays WebSockets through its tunnel, which needs
        // none, and the container's upgrade filter would otherwise look at every request.
        context.addServletContainerInitializer((classes, servletContext) ->
                ProxyRegistration.register(servletContext, servlet));
        return context;
    }

    /** Operator mistakes (address taken, unknown host) get one line; anything else is also logged in full. */
    private static GatewayStartException startFailure(GatewayOptions options, Exception e) {
        String where = (options.host().indexOf(':') >= 0 ? "[" + options.host() + "]" : options.host())
                + ":" + options.port();
        Throwable root = rootCause(e);
        if (root instanceof BindException) {
            return new GatewayStartException("cannot listen on " + where + ": " + reason(e), e);
        }
        if (root instanceof UnresolvedAddressException) {
            return new GatewayStartException("cannot listen on " + where + ": unknown host", e);
        }
        LOG.error("Gateway failed to start", e);
        return new GatewayStartException("cannot start the gateway on " + where + ": " + reason(e), e);
    }

    /** Client connections closed at once because a connection cap was reached, since start (monitoring, tests). */
    public long refusedConnections() {
        return caps == null ? 0 : caps.refused();
    }

    /** The admin port actually bound, when {@code --admin-port} was given. */
    public Optional<Integer> adminPort() {
        AdminServer a = admin;
        return a == null ? Optional.empty() : Optional.of(a.port());
    }

    /** Where a client on this machine reaches the admin port, when there is one. */
    public Optional<URI> adminUri() {
        return adminPort().map(p -> URI.create(baseUri().getScheme() + "://" + baseUri().getRawAuthority()
                .substring(0, baseUri().getRawAuthority().lastIndexOf(':')) + ":" + p));
    }

    /** The port actually bound, which differs from the requested one when that was 0. */
    public int port() {
        return connector.getLocalPort();
    }

    public GatewayOptions options() {
        return options;
    }

    /**
     * Where a client on this machine reaches the gateway. A wildcard listen address is not dialable, so it
     * becomes the loopback address of the same family.
     */
    public URI baseUri() {
        String host = switch (options.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> options.host();
        };
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create("http://" + authority + ":" + port());
    }

    /** The route prefix the proxy is mounted at, e.g. {@code /api/v1/sandbox}. */
    public String routePrefix() {
        return config.routePrefix();
    }

    /** The in-process demo sandbox, in demo mode. */
    public Optional<DemoSandbox> demo() {
        return Optional.ofNullable(backend.demo);
    }

    /**
     * The ids of the sandboxes of the file (or the demo), sorted; empty in Kubernetes mode, where sandboxes are
     * whatever pods exist at the time of a request.
     */
    public List<String> sandboxIds() {
        return backend.sandboxIds;
    }

    /**
     * The pod name of each sandbox id of {@link #sandboxIds()}, which the API-server mode asks for; empty in the
     * other modes.
     */
    public Map<String, String> podNames() {
        return backend.podNames;
    }

    /** The set-up this gateway runs. */
    public GatewayMode mode() {
        return mode;
    }

    /** The API server, in the modes that talk to Kubernetes. */
    public Optional<URI> kubernetesApiServer() {
        return Optional.ofNullable(backend.access).map(KubernetesAccess::server);
    }

    /** In Kubernetes mode, whether the first pod list has arrived (before it, requests answer 503). */
    public boolean podsListed() {
        return backend.kubernetes == null || backend.kubernetes.resolver().hasSynced();
    }

    /**
     * The WebSocket relay the library chose, e.g. {@code jetty-tunnel (...)}: Jetty's native tunnel on this
     * Jetty 12 gateway unless {@code webSocketRelay} asks for another.
     */
    public String webSocketRelay() {
        return servlet.webSocketRelay();
    }

    /** Blocks until the gateway has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Drains, then stops: {@code /readyz} turns false at once; open WebSockets are sent 1001 Going Away and new
     * upgrades answer 503 (waiting up to {@link ProxyConfig#drainTimeout()} for them to close); then the gateway
     * stops accepting, lets in-flight HTTP requests finish for up to {@link #STOP_TIMEOUT_MS}, and closes the rest.
     * The demo sandbox and the pod informer stop after that so that requests still being proxied can complete, and
     * the admin port last so that probes see the drain. Idempotent.
     */
    public synchronized void stop() {
        if (server.isStopped()) {
            stopAdmin();
            return;
        }
        draining = true;
        // WebSockets first: Jetty's graceful stop would otherwise hold them open until its timeout, as in-flight
        // requests, before the servlet is destroyed and says goodbye.
        if (server.isStarted() && !servlet.drain(config.drainTimeout())) {
            LOG.info("Some WebSockets were still open after {}; they are closed now", config.drainTimeout());
        }
        stopQuietly(server);
        backend.close();
        stopAdmin();
        LOG.info("liteboxd-gateway stopped");
    }

    private void stopAdmin() {
        AdminServer a = admin;
        admin = null;
        if (a != null) {
            try {
                a.stop();
            } catch (Exception e) {
                LOG.warn("Error while stopping the admin port", e);
            }
        }
        if (meters != null) {
            meters.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Error while stopping the gateway", e);
        }
    }

    private static void stopQuietly(DemoSandbox demo) {
        try {
            demo.stop();
        } catch (Exception e) {
            LOG.warn("Error while stopping the demo sandbox", e);
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static String reason(Throwable t) {
        Throwable root = rootCause(t);
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
