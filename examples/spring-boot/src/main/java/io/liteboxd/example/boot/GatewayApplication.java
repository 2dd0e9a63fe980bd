package io.liteboxd.example.boot;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.observe.micrometer.MicrometerProxyListener;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * An ordinary Spring Boot web application (it has its own controller, {@link HelloController}) that also serves
 * the sandbox gateway at {@code /api/v1/sandbox/*}.
 *
 * <p>Everything the gateway needs is a bean, so an application swaps in its own token store, sandbox registry or
 * connector by declaring a different bean: the {@link ServletContextInitializer} below only wires them into the
 * servlet. Boot's embedded Tomcat does not run library {@code ServletContainerInitializer}s, so this bean is the
 * registration. {@link ApplicationFilters} keeps the application's body-reading filters off the gateway's paths and
 * sets what Tomcat must let through.
 */
@SpringBootApplication
@EnableConfigurationProperties(ExampleSandboxProperties.class)
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }

    /**
     * Gateway settings from Spring properties named {@code liteboxd.} plus the init-param name of the README's
     * configuration table (e.g. {@code liteboxd.requestTimeout}), then {@code LITEBOXD_*} environment variables.
     */
    @Bean
    ProxyConfig proxyConfig(Environment environment) {
        return ProxyConfig.from(name -> environment.getProperty("liteboxd." + name), System.getenv());
    }

    /** Which requests are the gateway's, for the filters and security rules that must leave them alone. */
    @Bean
    GatewayPaths gatewayPaths(ProxyConfig config) {
        return GatewayPaths.of(config);
    }

    /** The demo's sandbox registry: a fixed list from {@code example.sandboxes[n]}; yours would be a database. */
    @Bean
    StaticSandboxes sandboxes(ExampleSandboxProperties properties) {
        return properties.toStaticSandboxes();
    }

    @Bean
    TokenAuthenticator tokenAuthenticator(StaticSandboxes sandboxes) {
        return sandboxes.authenticator();
    }

    @Bean
    SandboxResolver sandboxResolver(StaticSandboxes sandboxes) {
        return sandboxes.resolver();
    }

    @Bean
    UpstreamConnector upstreamConnector() {
        return new DirectPodConnector();
    }

    /**
     * The gateway's requests, handshakes, open WebSockets, bytes and refusals as Micrometer meters in the actuator's
     * registry, so they appear at {@code /actuator/prometheus} next to the application's own.
     */
    @Bean
    MicrometerProxyListener proxyMetrics(MeterRegistry registry) {
        return new MicrometerProxyListener(registry);
    }

    /** Registers the gateway servlet (async, load-on-startup) when the embedded container starts. */
    @Bean
    ServletContextInitializer liteboxdProxy(ProxyConfig config, TokenAuthenticator tokens, SandboxResolver sandboxes,
                                            UpstreamConnector connector, MicrometerProxyListener metrics) {
        return servletContext -> ProxyRegistration.register(servletContext,
                new ProxyServlet(config, tokens, sandboxes, connector, metrics));
    }
}
