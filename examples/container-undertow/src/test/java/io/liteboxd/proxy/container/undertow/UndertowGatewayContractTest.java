package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewayContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
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
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/** The gateway contract on Undertow 2.3 (servlet + JSR-356 WebSocket). */
class UndertowGatewayContractTest extends GatewayContractTest {

    /** Undertow 2.3 ignores servlet response trailers (documented in docs/containers.md). */
    @Override
    protected boolean containerSendsTrailers() {
        return false;
    }

    @Override
    protected boolean cutsStreamsOff() {
        return false;
    }

    private Undertow undertow;
    private DeploymentManager manager;
    private XnioWorker webSocketWorker;

    /** The configuration this variant runs with. */
    protected ProxyConfig configure(ProxyConfig config) {
        return config;
    }

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        ProxyServlet servlet = new ProxyServlet(configure(setup.config()), setup.authenticator(), setup.resolver(),
                setup.connector());

        // Without an explicit worker Undertow falls back to a process-wide default one that is never shut down.
        webSocketWorker = Xnio.getInstance().createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 2)
                .set(Options.THREAD_DAEMON, true)
                .getMap());
        WebSocketDeploymentInfo webSockets = new WebSocketDeploymentInfo()
                .setWorker(webSocketWorker)
                .setBuffers(new DefaultByteBufferPool(true, 16 * 1024));

        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(UndertowGatewayContractTest.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("liteboxd-gateway")
                .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, webSockets)
                .addServletContainerInitializer(new ServletContainerInitializerInfo(RegisterProxy.class,
                        new ImmediateInstanceFactory<>(new RegisterProxy(servlet)), Set.of()));
        manager = Servlets.defaultContainer().addDeployment(deployment);
        manager.deploy();

        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                // No %2F setting: Undertow decodes it only for its own path mapping, getRequestURI() stays raw.
                // Undertow caps request bodies at 2 MiB by default (larger uploads die mid-stream with 500 or a reset
                // connection); a gateway relays whatever the sandbox accepts, so lift the cap (<= 0 means none).
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                .setHandler(manager.start())
                .build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    protected void stopGateway() throws Exception {
        try {
            if (undertow != null) {
                undertow.stop();
            }
            if (manager != null) {
                manager.stop();
                manager.undeploy();
            }
        } finally {
            if (webSocketWorker != null) {
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
