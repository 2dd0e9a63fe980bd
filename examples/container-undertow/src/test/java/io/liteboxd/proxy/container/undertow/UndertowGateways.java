package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.config.ProxyConfig.WebSocketRelay;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import io.liteboxd.proxy.testkit.GatewayVariant.Limit;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import java.util.stream.Stream;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/** The gateway on Undertow 2.3 (servlet + JSR-356 WebSocket), as the testkit's contract suites run it. */
final class UndertowGateways {

    /** Undertow 2.3 ignores servlet response trailers and cannot cut a response off (docs/limitations.md). */
    static final GatewayVariant UNDERTOW = GatewayVariant.of("undertow", UndertowGateways::start,
            Limit.NO_TRAILERS, Limit.NO_STREAM_CUT_OFF);

    private UndertowGateways() {
    }

    /** The container's one front end, for the cases the WebSocket relay plays no part in. */
    static Stream<GatewayVariant> frontEnds() {
        return Stream.of(UNDERTOW);
    }

    /** Each relay setting; {@code jakarta} keeps the portable bridge covered whatever {@code auto} chooses. */
    static Stream<GatewayVariant> relays() {
        return Stream.of(
                UNDERTOW.relay(WebSocketRelay.AUTO, "jakarta-bridge"),
                UNDERTOW.relay(WebSocketRelay.JAKARTA, "jakarta-bridge"));
    }

    static GatewayVariant.Running start(GatewaySetup setup) throws Exception {
        ProxyServlet servlet = new ProxyServlet(setup.config(), setup.authenticator(), setup.resolver(),
                setup.connector());

        // Without an explicit worker Undertow falls back to a process-wide default one that is never shut down.
        XnioWorker webSocketWorker = Xnio.getInstance().createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 2)
                .set(Options.THREAD_DAEMON, true)
                .getMap());
        WebSocketDeploymentInfo webSockets = new WebSocketDeploymentInfo()
                .setWorker(webSocketWorker)
                .setBuffers(new DefaultByteBufferPool(true, 16 * 1024));

        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(UndertowGateways.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("liteboxd-gateway")
                .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, webSockets)
                .addServletContainerInitializer(new ServletContainerInitializerInfo(RegisterProxy.class,
                        new ImmediateInstanceFactory<>(new RegisterProxy(servlet)), Set.of()));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
        try {
            manager.deploy();
            return start(manager, webSocketWorker, servlet);
        } catch (Exception e) {
            webSocketWorker.shutdownNow();
            throw e;
        }
    }

    private static Running start(DeploymentManager manager, XnioWorker webSocketWorker, ProxyServlet servlet)
            throws Exception {
        Undertow undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                // No %2F setting: Undertow decodes it only for its own path mapping, getRequestURI() stays raw.
                // Undertow caps request bodies at 2 MiB by default (larger uploads die mid-stream with 500 or a reset
                // connection); a gateway relays whatever the sandbox accepts, so lift the cap (<= 0 means none).
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                .setHandler(manager.start())
                .build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        return new Running(undertow, manager, webSocketWorker, servlet, URI.create("http://127.0.0.1:" + port));
    }

    private record Running(Undertow undertow, DeploymentManager manager, XnioWorker webSocketWorker,
                           ProxyServlet servlet, URI uri) implements GatewayVariant.Running {

        @Override
        public String webSocketRelay() {
            return servlet.webSocketRelay();
        }

        @Override
        public void close() throws Exception {
            try {
                undertow.stop();
                manager.stop();
                manager.undeploy();
            } finally {
                webSocketWorker.shutdownNow();
            }
        }
    }

    /** addServlet is only allowed while the deployment starts, i.e. from an initializer. */
    public static final class RegisterProxy implements ServletContainerInitializer {
        private final ProxyServlet servlet;

        RegisterProxy(ProxyServlet servlet) {
            this.servlet = servlet;
        }

        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            ProxyRegistration.register(context, servlet);
            BodyReadingFilter.register(context);
        }
    }
}
