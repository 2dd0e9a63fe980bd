package io.liteboxd.example.webxml.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.DeployedAppContractTest;
import java.net.URI;
import java.nio.file.Path;
import org.apache.catalina.Context;

/**
 * The web.xml example WAR, deployed from the WAR file into embedded Tomcat 11 ({@code Tomcat.addWebapp}, which
 * parses {@code web.xml} and runs the container's {@code ServletContainerInitializer}s, WebSocket's among them).
 */
class TomcatWarDeploymentTest extends DeployedAppContractTest {

    private final EmbeddedTomcat tomcat = new EmbeddedTomcat();

    @Override
    protected URI deploy() throws Exception {
        Path war = Path.of(System.getProperty("webxml.war"));
        assertThat(war).as("the WAR built by examples/webxml").exists();
        Context context = tomcat.addWebapp(CONTEXT, war);
        tomcat.start();
        assertThat(context.getState().isAvailable()).as("context started").isTrue();
        return tomcat.baseUri();
    }

    @Override
    protected void undeploy() throws Exception {
        tomcat.stop();
    }
}
