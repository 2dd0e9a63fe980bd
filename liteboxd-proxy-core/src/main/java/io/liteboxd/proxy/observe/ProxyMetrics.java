package io.liteboxd.proxy.observe;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Counters of everything the gateway relays, kept with lock-free adders and readable in-process or over JMX
 * ({@link #registerMBean(String)}). No metrics framework needed; bridge to one by reading these or by writing
 * another {@link ProxyListener}.
 */
public final class ProxyMetrics implements ProxyListener, ProxyMetricsMXBean {

    private final LongAdder activeWebSockets = new LongAdder();
    private final Map<String, LongAdder> handshakes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> httpRequests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closeCodes = new ConcurrentHashMap<>();
    private final LongAdder messagesToUpstream = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder messagesToClient = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder upstreamConnects = new LongAdder();
    private final LongAdder upstreamConnectMillis = new LongAdder();
    private final AtomicLong upstreamConnectMax = new AtomicLong();

    @Override
    public void httpExchange(HttpExchangeEvent event) {
        count(httpRequests, Integer.toString(event.status()));
    }

    @Override
    public void webSocketHandshake(HandshakeEvent event) {
        count(handshakes, Integer.toString(event.status()));
        if (event.upgraded()) {
            activeWebSockets.increment();
        }
        if (event.upstreamConnect() != null) {
            long ms = event.upstreamConnect().toMillis();
            upstreamConnects.increment();
            upstreamConnectMillis.add(ms);
            upstreamConnectMax.accumulateAndGet(ms, Math::max);
        }
    }

    @Override
    public void webSocketSession(WebSocketSessionEvent event) {
        activeWebSockets.decrement();
        count(closeCodes, event.closedBy() + ":" + event.closeCode());
        messagesToUpstream.add(event.messagesToUpstream());
        bytesToUpstream.add(event.bytesToUpstream());
        messagesToClient.add(event.messagesToClient());
        bytesToClient.add(event.bytesToClient());
    }

    /**
     * Registers this instance with the platform MBean server as {@code io.liteboxd.proxy:type=ProxyMetrics,name=NAME}.
     *
     * @return the registered name, to unregister later
     */
    public ObjectName registerMBean(String name) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName objectName = new ObjectName("io.liteboxd.proxy:type=ProxyMetrics,name=" + ObjectName.quote(name));
        server.registerMBean(this, objectName);
        return objectName;
    }

    @Override
    public long getActiveWebSockets() {
        return activeWebSockets.sum();
    }

    @Override
    public Map<String, Long> getHandshakesByStatus() {
        return snapshot(handshakes);
    }

    @Override
    public Map<String, Long> getHttpRequestsByStatus() {
        return snapshot(httpRequests);
    }

    @Override
    public Map<String, Long> getCloseCodesBySide() {
        return snapshot(closeCodes);
    }

    @Override
    public long getMessagesToUpstream() {
        return messagesToUpstream.sum();
    }

    @Override
    public long getBytesToUpstream() {
        return bytesToUpstream.sum();
    }

    @Override
    public long getMessagesToClient() {
        return messagesToClient.sum();
    }

    @Override
    public long getBytesToClient() {
        return bytesToClient.sum();
    }

    @Override
    public long getUpstreamConnects() {
        return upstreamConnects.sum();
    }

    @Override
    public long getUpstreamConnectMillisTotal() {
        return upstreamConnectMillis.sum();
    }

    @Override
    public long getUpstreamConnectMillisMax() {
        return upstreamConnectMax.get();
    }

    private static void count(Map<String, LongAdder> map, String key) {
        map.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> map) {
        Map<String, Long> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
