package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewayContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/** The gateway contract on embedded Tomcat 11. */
class TomcatGatewayContractTest extends GatewayContractTest {

    private Tomcat tomcat;
    private Path baseDir;

    /** The configuration this variant runs with. */
    protected ProxyConfig configure(ProxyConfig config) {
        return config;
    }

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        ProxyServlet servlet = new ProxyServlet(configure(setup.config()), setup.authenticator(), setup.resolver(),
                setup.connector());

        baseDir = Files.createTempDirectory("liteboxd-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());

        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // Tomcat rejects %2F with 400 by default; "passthrough" keeps it encoded in getRequestURI(), which is what
        // the gateway relays. "decode" would turn it into a path separator and change the upstream path.
        connector.setEncodedSolidusHandling("passthrough");
        // Tomcat drops every request trailer whose name is not listed (docs/containers.md).
        connector.setProperty("allowedTrailerHeaders", "x-checksum");
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", baseDir.toString());
        // WsSci first: it installs the jakarta.websocket.server.ServerContainer the servlet upgrades through.
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer(new RegisterProxy(servlet), null);
        tomcat.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    protected void stopGateway() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            if (baseDir != null) {
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
