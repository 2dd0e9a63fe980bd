package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.config.ProxyConfig.WebSocketRelay;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.jetty.JettyHttpHandler;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import java.net.URI;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
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
 * The gateway on embedded Jetty 12 (ee10 servlet + Jakarta WebSocket), as the testkit's contract suites run it: with
 * the servlet context as the server's handler, or with {@link JettyHttpHandler} in front of it as the standalone
 * gateway runs (HTTP/1.x requests relayed from Jetty's core request without the servlet layer, WebSocket upgrades
 * still reaching the servlet).
 */
final class JettyGateways {

    static final GatewayVariant SERVLET = GatewayVariant.of("jetty servlet", setup -> start(setup, false));
    static final GatewayVariant CORE_HANDLER = GatewayVariant.of("jetty core handler", setup -> start(setup, true));

    private JettyGateways() {
    }

    /** Every front end, for the cases the WebSocket relay plays no part in. */
    static Stream<GatewayVariant> frontEnds() {
        return Stream.of(SERVLET, CORE_HANDLER);
    }

    /** The front ends whose servlet filters see request bodies. */
    static Stream<GatewayVariant> servletFilterFrontEnds() {
        return Stream.of(SERVLET);
    }

    /** Each relay setting on the front ends: on Jetty 12 ee10 {@code auto} must choose the tunnel. */
    static Stream<GatewayVariant> relays() {
        return Stream.of(
                SERVLET.relay(WebSocketRelay.AUTO, "jetty-tunnel"),
                SERVLET.relay(WebSocketRelay.JAKARTA, "jakarta-bridge"),
                CORE_HANDLER.relay(WebSocketRelay.AUTO, "jetty-tunnel"));
    }

    static Running start(GatewaySetup setup, boolean coreHandlerInFront) throws Exception {
        ProxyServlet servlet = new ProxyServlet(setup.config(), setup.authenticator(), setup.resolver(),
                setup.connector());

        QueuedThreadPool threads = new QueuedThreadPool(100, 4);
        threads.setName("gateway");
        Server server = new Server(threads);

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
        // Counts what reaches the servlet layer: what the core front end relays itself never does.
        LongAdder servletLayer = new LongAdder();
        Handler.Wrapper counted = new Handler.Wrapper(context) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                servletLayer.increment();
                return super.handle(request, response, callback);
            }
        };
        server.setHandler(coreHandlerInFront
                ? new JettyHttpHandler(servlet, context.getContextPath(), counted, true) : counted);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new Running(server, servlet, servletLayer, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
    }

    /** A started Jetty gateway; {@code servletLayer} counts the requests that reached the servlet context. */
    record Running(Server server, ProxyServlet servlet, LongAdder servletLayer, URI uri)
            implements GatewayVariant.Running {

        @Override
        public String webSocketRelay() {
            return servlet.webSocketRelay();
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }
}
