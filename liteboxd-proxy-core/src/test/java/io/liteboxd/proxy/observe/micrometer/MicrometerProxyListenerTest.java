package io.liteboxd.proxy.observe.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.observe.HandshakeEvent;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import io.liteboxd.proxy.observe.WebSocketSessionEvent;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerProxyListenerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerProxyListener listener = new MicrometerProxyListener(registry);

    @Test
    void httpExchanges_countedByStatusClass_withBytesDurationAndRefusalCodes() {
        listener.httpExchange(new HttpExchangeEvent("r1", "s", 80, "GET", 200, null, 10, Duration.ofMillis(3)));
        listener.httpExchange(new HttpExchangeEvent("r2", "s", 80, "GET", 204, null, 0, Duration.ofMillis(40)));
        listener.httpExchange(new HttpExchangeEvent("r3", null, 0, "GET", 400, "route_invalid", 60, Duration.ZERO));
        listener.httpExchange(new HttpExchangeEvent("r4", "s", 80, "GET", 502, "upstream_unreachable", 70,
                Duration.ofSeconds(2)));

        assertThat(count(MicrometerProxyListener.HTTP_REQUESTS, "status", "2xx")).isEqualTo(2);
        assertThat(count(MicrometerProxyListener.HTTP_REQUESTS, "status", "4xx")).isEqualTo(1);
        assertThat(count(MicrometerProxyListener.HTTP_REQUESTS, "status", "5xx")).isEqualTo(1);
        assertThat(count(MicrometerProxyListener.HTTP_REQUESTS, "status", "3xx")).isZero();
        assertThat(registry.get(MicrometerProxyListener.HTTP_RESPONSE_BYTES).counter().count()).isEqualTo(140);
        assertThat(registry.get(MicrometerProxyListener.REFUSALS).tags("code", "route_invalid", "kind", "http")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerProxyListener.REFUSALS).tags("code", "upstream_unreachable")
                .counter().count()).isEqualTo(1);

        Timer duration = registry.get(MicrometerProxyListener.HTTP_DURATION).timer();
        assertThat(duration.count()).isEqualTo(4);
        CountAtBucket[] buckets = duration.takeSnapshot().histogramCounts();
        assertThat(bucket(buckets, Duration.ofMillis(5))).isEqualTo(2);
        assertThat(bucket(buckets, Duration.ofMillis(50))).isEqualTo(3);
        assertThat(bucket(buckets, Duration.ofMillis(2500))).isEqualTo(4);
    }

    @Test
    void openWebSockets_perSandbox_andTheSeriesGoesWhenTheLastCloses() {
        listener.webSocketHandshake(new HandshakeEvent("h1", "a", 80, 101, null, Duration.ofMillis(7)));
        listener.webSocketHandshake(new HandshakeEvent("h2", "a", 80, 101, null, Duration.ofMillis(8)));
        listener.webSocketHandshake(new HandshakeEvent("h3", "b", 80, 101, null, Duration.ofMillis(9)));
        listener.webSocketHandshake(new HandshakeEvent("h4", "b", 80, 502, "upstream_unreachable",
                Duration.ofMillis(20)));
        listener.webSocketHandshake(new HandshakeEvent("h5", "b", 80, 401, "token_invalid", null));

        assertThat(open("a")).isEqualTo(2);
        assertThat(open("b")).isEqualTo(1);
        assertThat(registry.get(MicrometerProxyListener.HANDSHAKES).tags("status", "101").counter().count())
                .isEqualTo(3);
        assertThat(registry.get(MicrometerProxyListener.REFUSALS).tags("code", "token_invalid", "kind", "websocket")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerProxyListener.UPSTREAM_CONNECT).timer().count()).isEqualTo(4);

        listener.webSocketSession(new WebSocketSessionEvent("h1", "a", 80, "client", 1000, 3, 30, 4, 40,
                Duration.ofSeconds(1)));
        listener.webSocketSession(new WebSocketSessionEvent("h3", "b", 80, "gateway", 1001, 1, 5, 2, 6,
                Duration.ofSeconds(1)));

        assertThat(open("a")).isEqualTo(1);
        assertThat(registry.find(MicrometerProxyListener.OPEN_WEBSOCKETS).tag("sandbox", "b").gauge()).isNull();
        assertThat(registry.get(MicrometerProxyListener.SESSIONS).tags("closed_by", "gateway").counter().count())
                .isEqualTo(1);
        assertThat(count(MicrometerProxyListener.WS_MESSAGES, "direction", "to_upstream")).isEqualTo(4);
        assertThat(count(MicrometerProxyListener.WS_BYTES, "direction", "to_client")).isEqualTo(46);

        listener.webSocketHandshake(new HandshakeEvent("h6", "b", 80, 101, null, Duration.ofMillis(1)));
        assertThat(open("b")).isEqualTo(1);
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private double open(String sandbox) {
        return registry.get(MicrometerProxyListener.OPEN_WEBSOCKETS).tag("sandbox", sandbox).gauge().value();
    }

    private static double bucket(CountAtBucket[] buckets, Duration le) {
        double nanos = le.toNanos();
        return Arrays.stream(buckets).filter(b -> b.bucket(TimeUnit.NANOSECONDS) == nanos).findFirst()
                .orElseThrow(() -> new AssertionError("no bucket " + le)).count();
    }
}
