package io.liteboxd.proxy.reliability.support;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.jetty.JettyHttpHandler;
import java.net.URI;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The gateway under test: the library's {@link ProxyServlet} in embedded Jetty 12 (ee10 + Jakarta WebSocket) on
 * 127.0.0.1, registered the documented way ({@link ProxyRegistration#register} from the Jakarta initializer).
 */
public final class Gateway implements AutoCloseable {

    /** Name prefix of the gateway's container threads, so leak checks can tell them from the library's. */
    public static final String THREAD_NAME = "gw-server";

    /**
     * How much of Jetty's URI checking stays in front of the servlet. The same hostile request can be answered by
     * Jetty or by the library depending on this, so bad-input expectations are pinned per profile.
     */
    public enum UriProfile {
        /** Jetty's defaults, what an embedder gets without configuring anything. */
        JETTY_DEFAULT,
        /** Defaults plus encoded slashes, as examples/container-jetty configures it. */
        ENCODED_SLASH,
        /** Defaults plus every ambiguous-path violation, as the standalone gateway ships: the library alone judges. */
        PASSTHROUGH;

        UriCompliance compliance() {
            return switch (this) {
                case JETTY_DEFAULT -> UriCompliance.DEFAULT;
                case ENCODED_SLASH -> UriCompliance.DEFAULT.with("encoded-slash",
                        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR);
                case PASSTHROUGH -> UriCompliance.DEFAULT.with("passthrough",
                        UriCompliance.AMBIGUOUS_VIOLATIONS.toArray(new UriCompliance.Violation[0]));
            };
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final ProxyServlet servlet;

    private Gateway(Server server, ServerConnector connector, ProxyServlet servlet) {
        this.server = server;
        this.connector = connector;
        this.servlet = servlet;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public URI wsUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    public ProxyServlet servlet() {
        return servlet;
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

    public static final class Builder {
        private ProxyConfig config = ProxyConfig.defaults();
        private TokenAuthenticator authenticator;
        private SandboxResolver resolver;
        private UpstreamConnector connector = new DirectPodConnector();
        private UriProfile uriProfile = UriProfile.ENCODED_SLASH;
        private RelayKind relay = RelayKind.TUNNEL;
        private int maxThreads = 200;
        private boolean coreHandler;

        public Builder config(ProxyConfig c) {
            this.config = c;
            return this;
        }

        public Builder sandboxes(TestSandboxes s) {
            this.authenticator = s.authenticator();
            this.resolver = s.resolver();
            return this;
        }

        public Builder authenticator(TokenAuthenticator a) {
            this.authenticator = a;
            return this;
        }

        public Builder resolver(SandboxResolver r) {
            this.resolver = r;
            return this;
        }

        public Builder connector(UpstreamConnector c) {
            this.connector = c;
            return this;
        }

        public Builder uriProfile(UriProfile p) {
            this.uriProfile = p;
            return this;
        }

        public Builder relay(RelayKind r) {
            this.relay = r;
            return this;
        }

        /** Puts {@link JettyHttpHandler} in front of the servlet context, as the standalone gateway does. */
        public Builder coreHandler(boolean on) {
            this.coreHandler = on;
            return this;
        }

        public Builder maxThreads(int n) {
            this.maxThreads = n;
            return this;
        }

        public Gateway start() throws Exception {
            ProxyConfig withRelay = config.toBuilder().webSocketRelay(relay.setting).build();
            ProxyServlet servlet = new ProxyServlet(withRelay, Objects.requireNonNull(authenticator, "authenticator"),
                    Objects.requireNonNull(resolver, "resolver"), connector);
            QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 4);
            threads.setName(THREAD_NAME);
            // Short idle time and bulk eviction so that the pool shrinks back within a leak check's wait; the
            // default (60 s, one thread per period) would keep load-test threads for an hour.
            threads.setIdleTimeout(2_000);
            threads.setMaxEvictCount(100);
            Server server = new Server(threads);

            HttpConfiguration http = new HttpConfiguration();
            http.setUriCompliance(uriProfile.compliance());
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);

            ServletContextHandler context = new ServletContextHandler("/");
            JakartaWebSocketServletContainerInitializer.configure(context,
                    (servletContext, container) -> ProxyRegistration.register(servletContext, servlet));
            server.setHandler(coreHandler ? new JettyHttpHandler(servlet, "/", context) : context);
            server.start();
            if (!servlet.webSocketRelay().startsWith(relay.describedAs)) {
                server.stop();
                throw new IllegalStateException("asked for the " + relay + " but the servlet chose "
                        + servlet.webSocketRelay());
            }
            return new Gateway(server, connector, servlet);
        }
    }
}
