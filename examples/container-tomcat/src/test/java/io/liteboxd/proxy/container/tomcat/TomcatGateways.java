package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.config.ProxyConfig.WebSocketRelay;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/** The gateway on embedded Tomcat 11, as the testkit's contract suites run it (and the Tomcat tunnel's own tests). */
public final class TomcatGateways {

    static final GatewayVariant TOMCAT = GatewayVariant.of("tomcat", TomcatGateways::start);
    /** The smaller socket buffers docs/deploy.md suggests for many idle WebSockets. */
    static final GatewayVariant TOMCAT_4K_BUFFERS = GatewayVariant.of("tomcat, 4 KiB socket buffers",
            setup -> start(setup, connector -> {
                connector.setProperty("socket.appReadBufSize", "4096");
                connector.setProperty("socket.appWriteBufSize", "4096");
            }));

    private TomcatGateways() {
    }

    /** The container's one front end, for the cases the WebSocket relay plays no part in. */
    static Stream<GatewayVariant> frontEnds() {
        return Stream.of(TOMCAT);
    }

    /**
     * Each relay setting; {@code jakarta} keeps the portable bridge covered whatever {@code auto} chooses. Both again
     * with the smaller socket buffers that docs/deploy.md suggests.
     */
    static Stream<GatewayVariant> relays() {
        return Stream.of(
                TOMCAT.relay(WebSocketRelay.AUTO, "tomcat-tunnel"),
                TOMCAT.relay(WebSocketRelay.JAKARTA, "jakarta-bridge"),
                TOMCAT_4K_BUFFERS.relay(WebSocketRelay.AUTO, "tomcat-tunnel"),
                TOMCAT_4K_BUFFERS.relay(WebSocketRelay.JAKARTA, "jakarta-bridge"));
    }

    public static GatewayVariant.Running start(GatewaySetup setup) throws Exception {
        return start(setup, connector -> { });
    }

    /** @param tune changes to the connector's settings, made before Tomcat starts */
    public static GatewayVariant.Running start(GatewaySetup setup, Consumer<Connector> tune) throws Exception {
        ProxyServlet servlet = new ProxyServlet(setup.config(), setup.authenticator(), setup.resolver(),
                setup.connector());

        Path baseDir = Files.createTempDirectory("liteboxd-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());

        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // Tomcat rejects %2F with 400 by default; "passthrough" keeps it encoded in getRequestURI(), which is what
        // the gateway relays. "decode" would turn it into a path separator and change the upstream path.
        connector.setEncodedSolidusHandling("passthrough");
        // Tomcat drops every request trailer whose name is not listed (docs/containers.md).
        connector.setProperty("allowedTrailerHeaders", "x-checksum");
        tune.accept(connector);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", baseDir.toString());
        // WsSci first: it installs the jakarta.websocket.server.ServerContainer the servlet upgrades through.
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer(new RegisterProxy(servlet), null);
        Running running = new Running(tomcat, baseDir, servlet, connector);
        try {
            tomcat.start();
        } catch (Exception e) {
            try {
                running.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return running;
    }

    private record Running(Tomcat tomcat, Path baseDir, ProxyServlet servlet, Connector connector)
            implements GatewayVariant.Running {

        @Override
        public URI uri() {
            return URI.create("http://127.0.0.1:" + connector.getLocalPort());
        }

        @Override
        public String webSocketRelay() {
            return servlet.webSocketRelay();
        }

        @Override
        public void close() throws Exception {
            try {
                tomcat.stop();
                tomcat.destroy();
            } finally {
                try (Stream<Path> files = Files.walk(baseDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** addServlet is only allowed while the context starts, i.e. from an initializer. */
    private record RegisterProxy(ProxyServlet servlet) implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            ProxyRegistration.register(context, servlet);
            BodyReadingFilter.register(context);
        }
    }
}
