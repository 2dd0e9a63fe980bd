package io.liteboxd.example.boot;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.config.ProxyConfig.WebSocketRelay;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.BodyReadingFilter;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import java.net.URI;
import java.util.stream.Stream;
import org.apache.catalina.Container;
import org.apache.catalina.Wrapper;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The Boot example itself (its embedded Tomcat, its default filter chain and the filters it scopes off the gateway's
 * paths) as a container of the testkit's contract suites: only the gateway's settings and SPIs are the suite's, put
 * in place of the example's beans of the same names.
 */
final class BootGateway implements GatewayVariant.Running {

    static final GatewayVariant BOOT = GatewayVariant.of("spring boot", BootGateway::start,
            GatewayVariant.Limit.NO_REQUEST_TRAILERS);

    /** The example's one front end, for the cases the WebSocket relay plays no part in. */
    static Stream<GatewayVariant> frontEnds() {
        return Stream.of(BOOT);
    }

    /** Each relay setting; {@code jakarta} keeps the portable bridge covered whatever {@code auto} chooses. */
    static Stream<GatewayVariant> relays() {
        return Stream.of(
                BOOT.relay(WebSocketRelay.AUTO, "tomcat-tunnel"),
                BOOT.relay(WebSocketRelay.JAKARTA, "jakarta-bridge"));
    }

    /** The suite's setup, for the beans below (one gateway at a time). */
    private static GatewaySetup setup;
    private final ConfigurableApplicationContext app;

    private BootGateway(ConfigurableApplicationContext app) {
        this.app = app;
    }

    static synchronized BootGateway start(GatewaySetup s) {
        setup = s;
        return new BootGateway(new SpringApplicationBuilder(GatewayApplication.class, SuiteBeans.class)
                .properties("server.port=0", "server.address=127.0.0.1",
                        "spring.main.allow-bean-definition-overriding=true",
                        // Security is on this module's test class path for the secured variant; this is the
                        // example as an application without it runs.
                        "spring.autoconfigure.exclude="
                                + "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration,"
                                + "org.springframework.boot.autoconfigure.security.servlet."
                                + "UserDetailsServiceAutoConfiguration,"
                                + "org.springframework.boot.actuate.autoconfigure.security.servlet."
                                + "ManagementWebSecurityAutoConfiguration")
                .run());
    }

    @Override
    public URI uri() {
        return URI.create("http://127.0.0.1:" + ((ServletWebServerApplicationContext) app).getWebServer().getPort());
    }

    /** The example registers its servlet itself, so it is found in the embedded Tomcat's contexts. */
    @Override
    public String webSocketRelay() {
        TomcatWebServer server = (TomcatWebServer) ((ServletWebServerApplicationContext) app).getWebServer();
        for (Container context : server.getTomcat().getHost().findChildren()) {
            for (Container child : context.findChildren()) {
                if (child instanceof Wrapper wrapper && wrapper.getServlet() instanceof ProxyServlet servlet) {
                    return servlet.webSocketRelay();
                }
            }
        }
        throw new IllegalStateException("no ProxyServlet in the example's Tomcat");
    }

    @Override
    public void close() {
        app.close();
    }

    /**
     * The suite's settings and SPIs in place of the example's. Not a {@code @Configuration}: the example's component
     * scan covers this package and must not pick it up for the other tests.
     */
    static class SuiteBeans {
        @Bean
        ProxyConfig proxyConfig() {
            return setup.config();
        }

        @Bean
        TokenAuthenticator tokenAuthenticator() {
            return setup.authenticator();
        }

        @Bean
        SandboxResolver sandboxResolver() {
            return setup.resolver();
        }

        @Bean
        UpstreamConnector upstreamConnector() {
            return setup.connector();
        }

        /** The suite's stand-in for a body-reading filter an application forgot to scope (a header turns it on). */
        @Bean
        ServletContextInitializer bodyReadingFilter() {
            return BodyReadingFilter::register;
        }
    }
}
