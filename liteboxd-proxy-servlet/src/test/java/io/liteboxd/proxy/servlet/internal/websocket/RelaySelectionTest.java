package io.liteboxd.proxy.servlet.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.ServletContext;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * Which relay {@code auto} and {@code jakarta} pick for a container that is not Jetty (Tomcat's classes are on this
 * module's test class path, and a mock context's class loader sees them as the container's own).
 */
class RelaySelectionTest {

    private final HttpClient httpClient = new HttpClient();
    private final RelaySettings settings = new RelaySettings(Duration.ZERO, Duration.ofMinutes(1),
            Duration.ofSeconds(1), 1024, httpClient);

    @Test
    void autoOnTomcatIsTheTomcatTunnel() {
        Relay.Factory chosen = RelaySelection.tunnel(config(ProxyConfig.WebSocketRelay.AUTO),
                settings, context("Apache Tomcat/11.0.27", 6));
        assertThat(chosen).isNotNull();
        assertThat(chosen.describe()).startsWith("tomcat-tunnel");
    }

    @Test
    void autoOnTomcat10_1IsTheTomcatTunnelButNotOnAServlet5Tomcat() {
        assertThat(RelaySelection.tunnel(config(ProxyConfig.WebSocketRelay.AUTO), settings,
                context("Apache Tomcat/10.1.48", 6))).isNotNull();
        assertThat(RelaySelection.tunnel(config(ProxyConfig.WebSocketRelay.AUTO), settings,
                context("Apache Tomcat/10.0.27", 5))).isNull();
    }

    @Test
    void autoOnUndertowIsTheBridge() {
        assertThat(RelaySelection.tunnel(config(ProxyConfig.WebSocketRelay.AUTO), settings,
                context("Undertow - 2.3.24.Final", 6))).isNull();
    }

    @Test
    void jakartaIsAlwaysTheBridge() {
        assertThat(RelaySelection.tunnel(config(ProxyConfig.WebSocketRelay.JAKARTA), settings,
                context("Apache Tomcat/11.0.27", 6))).isNull();
    }

    private static ProxyConfig config(ProxyConfig.WebSocketRelay relay) {
        return ProxyConfig.builder().webSocketRelay(relay).build();
    }

    private static ServletContext context(String serverInfo, int servletMajor) {
        ServletContext context = mock(ServletContext.class);
        when(context.getServerInfo()).thenReturn(serverInfo);
        when(context.getMajorVersion()).thenReturn(servletMajor);
        return context;
    }
}
