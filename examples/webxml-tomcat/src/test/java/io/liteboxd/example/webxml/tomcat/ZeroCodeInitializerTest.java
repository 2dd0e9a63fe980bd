package io.liteboxd.example.webxml.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.DeployedAppContractTest;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.Upstream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same WAR with a {@code web.xml} that declares no servlet, only {@code liteboxd.*} context-params: the library's
 * {@code ServletContainerInitializer} (found in {@code WEB-INF/lib}) registers the gateway. A second application
 * without {@code liteboxd.enabled} proves that nothing registers itself unasked.
 */
class ZeroCodeInitializerTest extends DeployedAppContractTest {

    private static final String OFF_CONTEXT = "/off";

    private final EmbeddedTomcat tomcat = new EmbeddedTomcat();

    @Override
    protected URI deploy() throws Exception {
        Path war = Path.of(System.getProperty("webxml.war"));
        tomcat.addWebapp(CONTEXT, tomcat.explodeWithWebXml(war, webXml("""
                  <context-param><param-name>liteboxd.enabled</param-name><param-value>true</param-value></context-param>
                  <context-param>
                    <param-name>liteboxd.tokenAuthenticator</param-name>
                    <param-value>io.liteboxd.example.webxml.ExampleTokenAuthenticator</param-value>
                  </context-param>
                  <context-param>
                    <param-name>liteboxd.sandboxResolver</param-name>
                    <param-value>io.liteboxd.example.webxml.ExampleSandboxResolver</param-value>
                  </context-param>
                """)));
        // Complete but for the switch: if anything registered it anyway, it would serve (and this test would see 200).
        tomcat.addWebapp(OFF_CONTEXT, tomcat.explodeWithWebXml(war, webXml("""
                  <context-param>
                    <param-name>liteboxd.tokenAuthenticator</param-name>
                    <param-value>io.liteboxd.example.webxml.ExampleTokenAuthenticator</param-value>
                  </context-param>
                  <context-param>
                    <param-name>liteboxd.sandboxResolver</param-name>
                    <param-value>io.liteboxd.example.webxml.ExampleSandboxResolver</param-value>
                  </context-param>
                """)));
        tomcat.start();
        return tomcat.baseUri();
    }

    @Override
    protected void undeploy() throws Exception {
        tomcat.stop();
    }

    @Test
    void withoutTheSwitch_nothingIsRegistered() throws Exception {
        try (Upstream sentinel = Upstream.start()) {
            RawHttp.RawResponse r = RawHttp.exchange(server, "GET", OFF_CONTEXT + "/api/v1/sandbox/" + SANDBOX
                    + "/port/" + sentinel.port() + "/echo/x", List.of("X-Access-Token: " + TOKEN), null);

            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.bodyText()).doesNotContain("\"code\"");
            assertThat(sentinel.acceptedConnections()).as("the upstream is never dialled").isZero();
        }
    }

    private static String webXml(String contextParams) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                %s</web-app>
                """.formatted(contextParams);
    }
}
