package io.liteboxd.example.webxml.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.liteboxd.proxy.testkit.DeployedApp;
import io.liteboxd.proxy.testkit.DeployedAppContract;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.Upstream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The web.xml example WAR in Tomcat 11, deployed two ways.
 *
 * <ul>
 *   <li>From the WAR file ({@code Tomcat.addWebapp}, which parses {@code web.xml} and runs the container's
 *       {@code ServletContainerInitializer}s, WebSocket's among them), with Tomcat {@linkplain IsolatedTomcat isolated}
 *       so the application links only its {@code WEB-INF/lib}: the library and exactly its declared runtime
 *       dependencies, as Maven resolved them into the WAR. HTTP and WebSocket through it then prove that the portable
 *       path needs no Jetty server or ee10 class.</li>
 *   <li>With a {@code web.xml} that declares no servlet, only {@code liteboxd.*} context-params: the library's
 *       {@code ServletContainerInitializer} (found in {@code WEB-INF/lib}) registers the gateway. A second application
 *       without {@code liteboxd.enabled} proves that nothing registers itself unasked.</li>
 * </ul>
 */
@ParameterizedClass(name = "[{0}]")
@MethodSource("deployments")
class TomcatDeployedAppContractTest extends DeployedAppContract {

    /** Jetty's server side: Tomcat never has it, so neither may the application's own jars. */
    private static final List<String> SERVER_JARS = List.of("jetty-server-", "jetty-ee10-");
    private static final String OFF_CONTEXT = "/off";

    static Stream<DeployedApp> deployments() {
        return Stream.of(
                new DeployedApp("tomcat, war, isolated", TomcatDeployedAppContractTest::deployIsolatedWar),
                new DeployedApp("tomcat, zero-code initializer", TomcatDeployedAppContractTest::deployZeroCode));
    }

    static DeployedApp.Deployed deployIsolatedWar() throws Exception {
        Path war = war();
        IsolatedTomcat tomcat = IsolatedTomcat.deploy(war, CONTEXT);
        return new DeployedApp.Deployed() {
            @Override
            public URI uri() {
                return tomcat.baseUri();
            }

            @Override
            public Stream<DynamicTest> ownCases() {
                return Stream.of(
                        dynamicTest("theApplicationCarriesNoJettyServerJar", () -> carriesNoJettyServerJar(war)),
                        dynamicTest("theApplicationCannotSeeJettyServerClasses", () -> cannotSeeJettyServer(tomcat)));
            }

            @Override
            public void close() throws Exception {
                tomcat.close();
            }
        };
    }

    static DeployedApp.Deployed deployZeroCode() throws Exception {
        Path war = war();
        EmbeddedTomcat tomcat = new EmbeddedTomcat();
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
        // Complete but for the switch: if anything registered it anyway, it would serve (and the case would see 200).
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
        try {
            tomcat.start();
        } catch (Exception e) {
            tomcat.stop();
            throw e;
        }
        return new DeployedApp.Deployed() {
            @Override
            public URI uri() {
                return tomcat.baseUri();
            }

            @Override
            public Stream<DynamicTest> ownCases() {
                return Stream.of(dynamicTest("withoutTheSwitch_nothingIsRegistered",
                        () -> withoutTheSwitchNothingIsRegistered(tomcat.baseUri())));
            }

            @Override
            public void close() throws Exception {
                tomcat.stop();
            }
        };
    }

    private static Path war() {
        Path war = Path.of(System.getProperty("webxml.war"));
        assertThat(war).as("the WAR built by examples/webxml").exists();
        return war;
    }

    private static void carriesNoJettyServerJar(Path war) throws IOException {
        List<String> jars;
        try (ZipFile zip = new ZipFile(war.toFile())) {
            jars = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/"))
                    .map(n -> n.substring("WEB-INF/lib/".length())).filter(n -> !n.isEmpty()).toList();
        }
        assertThat(jars).as("WEB-INF/lib").anyMatch(j -> j.startsWith("liteboxd-proxy-servlet-"));
        assertThat(jars).as("WEB-INF/lib").noneMatch(j -> SERVER_JARS.stream().anyMatch(j::startsWith));
    }

    private static void cannotSeeJettyServer(IsolatedTomcat tomcat) throws Exception {
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

    private static void withoutTheSwitchNothingIsRegistered(URI server) throws Exception {
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
