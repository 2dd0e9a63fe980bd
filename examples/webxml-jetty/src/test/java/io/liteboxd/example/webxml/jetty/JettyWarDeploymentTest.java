package io.liteboxd.example.webxml.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.DeployedAppContractTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The web.xml example WAR, deployed from the WAR file into an embedded Jetty 12 {@link WebAppContext}. */
class JettyWarDeploymentTest extends DeployedAppContractTest {

    private Server jetty;

    @Override
    protected URI deploy() throws Exception {
        Path war = Path.of(System.getProperty("webxml.war"));
        assertThat(war).as("the WAR built by examples/webxml").exists();

        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("war-jetty");
        jetty = new Server(threads);
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
        jetty.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    protected void undeploy() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
    }
}
