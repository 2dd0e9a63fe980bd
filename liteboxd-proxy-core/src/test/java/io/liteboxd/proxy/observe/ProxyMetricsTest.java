package io.liteboxd.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {

    @Test
    void countsEveryEventKind() {
        ProxyMetrics m = new ProxyMetrics();
        m.httpExchange(new HttpExchangeEvent("r1", "s", 80, "GET", 200, null, 10, Duration.ofMillis(3)));
        m.httpExchange(new HttpExchangeEvent("r2", null, 0, "GET", 400, "route_invalid", 60, Duration.ZERO));
        m.webSocketHandshake(new HandshakeEvent("r3", "s", 80, 101, null, Duration.ofMillis(7)));
        m.webSocketHandshake(new HandshakeEvent("r4", "s", 80, 502, "upstream_unreachable", Duration.ofMillis(20)));
        m.webSocketHandshake(new HandshakeEvent("r5", "s", 80, 401, "token_invalid", null));
        assertThat(m.getActiveWebSockets()).isEqualTo(1);
        m.webSocketSession(new WebSocketSessionEvent("r3", "s", 80, "client", 4001, 3, 30, 4, 40, Duration.ofSeconds(1)));

        assertThat(m.getActiveWebSockets()).isZero();
        assertThat(m.getHttpRequestsByStatus()).containsEntry("200", 1L).containsEntry("400", 1L);
        assertThat(m.getHandshakesByStatus()).containsEntry("101", 1L).containsEntry("502", 1L).containsEntry("401", 1L);
        assertThat(m.getCloseCodesBySide()).containsEntry("client:4001", 1L);
        assertThat(m.getMessagesToUpstream()).isEqualTo(3);
        assertThat(m.getBytesToClient()).isEqualTo(40);
        assertThat(m.getUpstreamConnects()).isEqualTo(2);
        assertThat(m.getUpstreamConnectMillisTotal()).isEqualTo(27);
        assertThat(m.getUpstreamConnectMillisMax()).isEqualTo(20);
    }

    @Test
    void isReadableOverJmx() throws Exception {
        ProxyMetrics m = new ProxyMetrics();
        ObjectName name = m.registerMBean("test-" + System.nanoTime());
        try {
            m.webSocketHandshake(new HandshakeEvent("r", "s", 80, 101, null, Duration.ofMillis(1)));
            Object active = ManagementFactory.getPlatformMBeanServer().getAttribute(name, "ActiveWebSockets");
            assertThat(active).isEqualTo(1L);
            Object byStatus = ManagementFactory.getPlatformMBeanServer().getAttribute(name, "HandshakesByStatus");
            assertThat(byStatus).isInstanceOf(TabularData.class);
            assertThat(((TabularData) byStatus).size()).isEqualTo(1);
        } finally {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        ProxyMetrics m = new ProxyMetrics();
        ProxyListener broken = new ProxyListener() {
            @Override
            public void httpExchange(HttpExchangeEvent event) {
                throw new IllegalStateException("broken");
            }
        };
        ProxyListener both = ProxyListener.all(List.of(broken, m));
        both.httpExchange(new HttpExchangeEvent("r", "s", 80, "GET", 204, null, 0, Duration.ZERO));
        assertThat(m.getHttpRequestsByStatus()).containsEntry("204", 1L);
    }
}
