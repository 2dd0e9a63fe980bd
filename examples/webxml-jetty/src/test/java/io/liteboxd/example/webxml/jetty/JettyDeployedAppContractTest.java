package io.liteboxd.example.webxml.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.DeployedApp;
import io.liteboxd.proxy.testkit.DeployedAppContract;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The web.xml example WAR, deployed from the WAR file into an embedded Jetty 12 {@link WebAppContext}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("deployments")
class JettyDeployedAppContractTest extends DeployedAppContract {

    static Stream<DeployedApp> deployments() {
        return Stream.of(new DeployedApp("jetty, war", JettyDeployedAppContractTest::deployWar));
    }

    static DeployedApp.Deployed deployWar() throws Exception {
        Path war = Path.of(System.getProperty("webxml.war"));
        assertThat(war).as("the WAR built by examples/webxml").exists();

        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("war-jetty");
        Server jetty = new Server(threads);
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(CONTEXT);
        webapp.setWar(war.toString());
        webapp.setTempDirectory(Files.createTempDirectory("liteboxd-war-jetty").toFile());
        // A standalone Jetty enables this with its websocket module; embedded, the context asks for it.
        JakartaWebSocketServletContainerInitializer.configure(webapp, null);
        webapp.setThrowUnavailableOnStartupException(true);
        jetty.setHandler(webapp);
        try {
            jetty.start();
        } catch (Exception e) {
            jetty.stop();
            throw e;
        }
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        return new DeployedApp.Deployed() {
            @Override
            public URI uri() {
                return uri;
            }

            @Override
            public void close() throws Exception {
                jetty.stop();
            }
        };
    }
}
