package io.liteboxd.proxy.container.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewayContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * The gateway contract on embedded Jetty 12 (ee10 servlet + Jakarta WebSocket), with the default relay selection:
 * on Jetty 12 ee10 the tunnel (the fast path) must be chosen.
 */
class JettyGatewayContractTest extends GatewayContractTest {

    private Server server;
    private ProxyServlet servlet;

    /** The relay this variant must run on. */
    protected String expectedRelay() {
        return "jetty-tunnel";
    }

    /** The configuration this variant runs with. */
    protected ProxyConfig configure(ProxyConfig config) {
        return config;
    }

    /** The server's handler: the servlet context itself, or something in front of it. */
    protected Handler front(ProxyServlet servlet, ServletContextHandler context) {
        return context;
    }

    @Test
    void usesTheExpectedWebSocketRelay() {
        assertThat(servlet.webSocketRelay()).startsWith(expectedRelay());
    }

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        servlet = new ProxyServlet(configure(setup.config()), setup.authenticator(), setup.resolver(),
                setup.connector());

        QueuedThreadPool threads = new QueuedThreadPool(100, 4);
        threads.setName("gateway");
        server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        // Jetty answers 400 to an encoded slash by default. Allowing exactly that one ambiguity (and nothing else
        // UNSAFE would allow) is what a deployment needs so sandbox paths with %2F reach the upstream.
        http.setUriCompliance(UriCompliance.DEFAULT.with("liteboxd-gateway",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        // The gateway reads only getRequestURI(), so ServletHandler.setDecodeAmbiguousURIs(true) is not needed;
        // an application that also calls getServletPath()/getPathInfo() on such requests would need it.
        ServletContextHandler context = new ServletContextHandler("/");
        // Registering from the configurator runs during context start, when addServlet is permitted, and after the
        // ServerContainer attribute exists.
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            ProxyRegistration.register(servletContext, servlet);
            BodyReadingFilter.register(servletContext);
        });
        server.setHandler(front(servlet, context));
        server.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    protected void stopGateway() throws Exception {
        if (server != null) {
            server.stop();
        }
    }
}
