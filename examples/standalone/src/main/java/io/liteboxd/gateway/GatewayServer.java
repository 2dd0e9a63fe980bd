package io.liteboxd.gateway;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import java.net.BindException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway process minus its command line: an embedded Jetty 12 (ee10) serving the library's
 * {@link ProxyServlet}, plus the demo sandbox when no sandbox file is given. Start with {@link #start}, stop with
 * {@link #stop}; usable from tests with port 0.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /** Bounded so a flood of slow clients queues instead of growing threads (and memory) without limit. */
    static final int MAX_THREADS = 200;

    /** How long a stop waits for in-flight HTTP requests before closing their connections. */
    static final long STOP_TIMEOUT_MS = 10_000;

    private final GatewayOptions options;
    private final ProxyConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final DemoSandbox demo;
    private final List<String> sandboxIds;

    private GatewayServer(GatewayOptions options, ProxyConfig config, Server server, ServerConnector connector,
                          DemoSandbox demo, List<String> sandboxIds) {
        this.options = options;
        this.config = config;
        this.server = server;
        this.connector = connector;
        this.demo = demo;
        this.sandboxIds = sandboxIds;
    }

    /**
     * Loads the sandboxes (or starts the demo), then starts listening.
     *
     * @throws GatewayStartException with a one-line reason: unreadable sandbox file, address in use, ...
     */
    public static GatewayServer start(GatewayOptions options) throws GatewayStartException {
        ProxyConfig config = options.proxyConfig();
        DemoSandbox demo = options.demoMode() ? startDemo() : null;
        StaticSandboxes sandboxes = demo != null
                ? new StaticSandboxes(List.of(demo.entry()))
                : loadSandboxes(options);

        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8);
        threads.setName("gateway");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(PassthroughHttp.configuration()));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(config.requestTimeout().toMillis());
        server.addConnector(connector);
        ServletContextHandler context = proxyContext(config, sandboxes);
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(STOP_TIMEOUT_MS);

        try {
            server.start();
            if (!context.isAvailable()) {
                throw new IllegalStateException("the proxy servlet context did not start (see the log above)");
            }
        } catch (Exception e) {
            stopQuietly(server);
            if (demo != null) {
                stopQuietly(demo);
            }
            throw startFailure(options, e);
        }

        List<String> ids = sandboxes.entries().stream().map(entry -> entry.sandbox().id()).sorted().toList();
        GatewayServer gateway = new GatewayServer(options, config, server, connector, demo, ids);
        LOG.info("liteboxd-gateway listening on {} for {} sandbox(es)", gateway.baseUri(), ids.size());
        return gateway;
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

    private static ServletContextHandler proxyContext(ProxyConfig config, StaticSandboxes sandboxes) {
        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.NO_SESSIONS);
        // Otherwise the servlet layer answers 400 to the %2F paths the connector was configured to accept.
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        ProxyServlet servlet = new ProxyServlet(config, sandboxes.authenticator(), sandboxes.resolver(),
                new DirectPodConnector());
        // Registered from an initializer, after the WebSocket one, so the ServerContainer exists when the
        // servlet initialises.
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

    /** The in-process demo sandbox, when no sandbox file was given. */
    public Optional<DemoSandbox> demo() {
        return Optional.ofNullable(demo);
    }

    /** The ids of the sandboxes this gateway serves, sorted (the loader does not keep file order). */
    public List<String> sandboxIds() {
        return sandboxIds;
    }

    /** Blocks until the gateway has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Stops accepting, lets in-flight requests finish for up to {@link #STOP_TIMEOUT_MS}, then closes the rest.
     * The demo sandbox stops last so that requests still being proxied to it can complete. Idempotent.
     */
    public synchronized void stop() {
        if (server.isStopped()) {
            return;
        }
        stopQuietly(server);
        if (demo != null) {
            stopQuietly(demo);
        }
        LOG.info("liteboxd-gateway stopped");
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

    private static String reason(Throwable t) {
        Throwable root = rootCause(t);
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
