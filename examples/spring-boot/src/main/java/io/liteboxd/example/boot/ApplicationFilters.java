package io.liteboxd.example.boot;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.filter.OrderedFormContentFilter;
import org.springframework.boot.web.servlet.filter.OrderedHiddenHttpMethodFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What an application with its own filters does so that the gateway gets its requests untouched: the body-reading
 * filters keep off the gateway's paths, and Tomcat lets through what the gateway relays.
 *
 * <p>The gateway streams each request body from the servlet input stream to the sandbox. A filter that reads the
 * body first leaves nothing to relay, and the gateway answers {@code 500 body_consumed}. Boot registers
 * {@code FormContentFilter} for every path (it reads form-encoded PUT, PATCH and DELETE bodies), so this
 * configuration declares it itself, which makes Boot's own back off, and excludes the gateway's paths.
 */
@Configuration(proxyBeanMethods = false)
class ApplicationFilters {

    /** Spring's form support for PUT, PATCH and DELETE, for the application's own pages only. */
    @Bean
    OrderedFormContentFilter formContentFilter(GatewayPaths gateway) {
        return new OrderedFormContentFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return gateway.matches(request);
            }
        };
    }

    /**
     * {@code _method} in HTML forms, for the application's own pages only: on the gateway's paths it would read a
     * sandbox's form POST to look for the parameter and could turn the POST into another method.
     */
    @Bean
    OrderedHiddenHttpMethodFilter hiddenHttpMethodFilter(GatewayPaths gateway) {
        return new OrderedHiddenHttpMethodFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return gateway.matches(request);
            }
        };
    }

    /**
     * The Tomcat settings docs/containers.md asks for: Tomcat answers its own HTML 400 to an encoded slash
     * ({@code %2F}) in a path unless the connector passes it through, still encoded, to the gateway, which relays it
     * to the sandbox as sent. ("decode" would turn it into a path separator and change the sandbox's path.)
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> gatewayConnectorSettings() {
        return factory -> factory.addConnectorCustomizers(ApplicationFilters::passEncodedSlashes);
    }

    private static void passEncodedSlashes(Connector connector) {
        connector.setEncodedSolidusHandling("passthrough");
    }
}
