package io.liteboxd.example.webxml.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.testkit.DeployedAppContractTest;
import io.liteboxd.proxy.testkit.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The web.xml example WAR, deployed from the WAR file into embedded Tomcat 11 ({@code Tomcat.addWebapp}, which
 * parses {@code web.xml} and runs the container's {@code ServletContainerInitializer}s, WebSocket's among them).
 *
 * <p>Tomcat runs {@linkplain IsolatedTomcat isolated}, so the application links only its {@code WEB-INF/lib}: the
 * library and exactly its declared runtime dependencies, as Maven resolved them into the WAR. HTTP and WebSocket
 * through it (the inherited tests) then prove that the portable path needs no Jetty server or ee10 class.
 */
class TomcatWarDeploymentTest extends DeployedAppContractTest {

    /** Jetty's server side: Tomcat never has it, so neither may the application's own jars. */
    private static final List<String> SERVER_JARS = List.of("jetty-server-", "jetty-ee10-");

    private Path war;
    private IsolatedTomcat tomcat;

    @Override
    protected URI deploy() throws Exception {
        war = Path.of(System.getProperty("webxml.war"));
        assertThat(war).as("the WAR built by examples/webxml").exists();
        tomcat = IsolatedTomcat.deploy(war, CONTEXT);
        return tomcat.baseUri();
    }

    @Override
    protected void undeploy() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Test
    void aRequestBodyCrossesTooWithoutJettyServerClasses() throws Exception {
        // Bodies take another relay path than the bodiless requests of the inherited tests.
        RawHttp.RawResponse r = RawHttp.exchange(server, "POST", route("/echo/upload"),
                List.of("X-Access-Token: " + TOKEN, "Content-Type: text/plain"),
                "a body through the war".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.body()).path("body").asText()).isEqualTo("a body through the war");
    }

    @Test
    void theApplicationCarriesNoJettyServerJar() throws IOException {
        List<String> jars;
        try (ZipFile zip = new ZipFile(war.toFile())) {
            jars = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/"))
                    .map(n -> n.substring("WEB-INF/lib/".length())).filter(n -> !n.isEmpty()).toList();
        }
        assertThat(jars).as("WEB-INF/lib").anyMatch(j -> j.startsWith("liteboxd-proxy-servlet-"));
        assertThat(jars).as("WEB-INF/lib").noneMatch(j -> SERVER_JARS.stream().anyMatch(j::startsWith));
    }

    @Test
    void theApplicationCannotSeeJettyServerClasses() throws Exception {
        // The control: this JVM's class path has them (the test upstreams run on Jetty).
        Class.forName("org.eclipse.jetty.server.Request");
        for (String name : List.of("org.eclipse.jetty.server.Request",
                "org.eclipse.jetty.ee10.servlet.ServletContextHandler")) {
            assertThatThrownBy(() -> Class.forName(name, false, tomcat.webappLoader())).as(name)
                    .isInstanceOf(ClassNotFoundException.class);
        }
        assertThat(Class.forName("io.liteboxd.proxy.servlet.ProxyServlet", false, tomcat.webappLoader())
                .getClassLoader()).as("the library comes from WEB-INF/lib").isSameAs(tomcat.webappLoader());
    }
}
