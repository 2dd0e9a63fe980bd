package io.liteboxd.proxy.observe;

import java.util.Map;

/** The JMX view of {@link ProxyMetrics} ({@code io.liteboxd.proxy:type=ProxyMetrics,name=...}). */
public interface ProxyMetricsMXBean {

    long getActiveWebSockets();

    Map<String, Long> getHandshakesByStatus();

    Map<String, Long> getHttpRequestsByStatus();

    Map<String, Long> getCloseCodesBySide();

    long getMessagesToUpstream();

    long getBytesToUpstream();

    long getMessagesToClient();

    long getBytesToClient();

    long getUpstreamConnects();

    long getUpstreamConnectMillisTotal();

    long getUpstreamConnectMillisMax();
}
