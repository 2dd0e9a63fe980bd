package io.liteboxd.proxy.observe.micrometer;

import io.liteboxd.proxy.observe.HandshakeEvent;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.observe.WebSocketSessionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ProxyListener} that records the gateway's events to a Micrometer {@link MeterRegistry}, for embedders who
 * already expose one (Spring Boot's actuator, a {@code PrometheusMeterRegistry}). Pass it to the servlet as its
 * listener. Needs {@code io.micrometer:micrometer-core} on the class path, which the library declares optional.
 *
 * <p>Meters (Prometheus names in brackets; every one also carries the registry's common tags):
 * <ul>
 *   <li>{@value #HTTP_REQUESTS} {@code {status="2xx"|..|"5xx"}} ({@code liteboxd_http_requests_total}): HTTP
 *       requests answered, by status class;</li>
 *   <li>{@value #HTTP_RESPONSE_BYTES} ({@code liteboxd_http_response_bytes_total}): response body bytes sent to
 *       clients;</li>
 *   <li>{@value #HTTP_DURATION} ({@code liteboxd_http_request_duration_seconds}, a histogram): arrival to the end of
 *       the response, which for a relayed request is mostly the upstream's latency;</li>
 *   <li>{@value #HANDSHAKES} {@code {status}} ({@code liteboxd_websocket_handshakes_total}): WebSocket handshakes,
 *       {@code 101} or the refusal's status;</li>
 *   <li>{@value #UPSTREAM_CONNECT} ({@code liteboxd_websocket_upstream_connect_seconds}, a histogram): time to the
 *       upstream's handshake answer;</li>
 *   <li>{@value #OPEN_WEBSOCKETS} {@code {sandbox}} ({@code liteboxd_websocket_open}): WebSockets relayed now, per
 *       sandbox; a sandbox's series disappears when its last one closes, so ended sandboxes leave nothing behind;</li>
 *   <li>{@value #SESSIONS} {@code {closed_by}} ({@code liteboxd_websocket_sessions_total}): ended sessions, by the
 *       side that closed first;</li>
 *   <li>{@value #WS_MESSAGES} and {@value #WS_BYTES} {@code {direction="to_upstream"|"to_client"}}
 *       ({@code liteboxd_websocket_messages_total}, {@code liteboxd_websocket_bytes_total}): relayed messages and
 *       payload bytes, counted when a session ends;</li>
 *   <li>{@value #REFUSALS} {@code {code, kind="http"|"websocket"}} ({@code liteboxd_refusals_total}): answers the
 *       gateway gave itself, by their stable error {@code code}.</li>
 * </ul>
 *
 * <p>Tags are bounded: status classes, error codes and sides are fixed sets; only {@code sandbox} grows with the
 * sandboxes that have a WebSocket open at once.
 */
public final class MicrometerProxyListener implements ProxyListener {

    public static final String HTTP_REQUESTS = "liteboxd.http.requests";
    public static final String HTTP_RESPONSE_BYTES = "liteboxd.http.response.bytes";
    public static final String HTTP_DURATION = "liteboxd.http.request.duration";
    public static final String HANDSHAKES = "liteboxd.websocket.handshakes";
    public static final String UPSTREAM_CONNECT = "liteboxd.websocket.upstream.connect";
    public static final String OPEN_WEBSOCKETS = "liteboxd.websocket.open";
    public static final String SESSIONS = "liteboxd.websocket.sessions";
    public static final String WS_MESSAGES = "liteboxd.websocket.messages";
    public static final String WS_BYTES = "liteboxd.websocket.bytes";
    public static final String REFUSALS = "liteboxd.refusals";

    /**
     * Fixed buckets rather than Micrometer's percentile histogram (about 70 per timer): enough to tell a fast
     * upstream from a stalled one, at a size every scrape can afford.
     */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
    };

    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final Counter[] httpByClass = new Counter[STATUS_CLASSES.length];
    private final Counter httpBytes;
    private final Timer httpDuration;
    private final Timer upstreamConnect;
    private final Counter messagesToUpstream;
    private final Counter messagesToClient;
    private final Counter bytesToUpstream;
    private final Counter bytesToClient;
    private final Map<String, OpenCount> open = new ConcurrentHashMap<>();

    /** Registers the fixed meters at once (so they read 0 before any traffic) and the tagged ones as they occur. */
    public MicrometerProxyListener(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (int i = 0; i < STATUS_CLASSES.length; i++) {
            httpByClass[i] = Counter.builder(HTTP_REQUESTS).description("HTTP requests answered, by status class")
                    .tag("status", STATUS_CLASSES[i]).register(registry);
        }
        httpBytes = Counter.builder(HTTP_RESPONSE_BYTES).description("HTTP response body bytes sent to clients")
                .baseUnit("bytes").register(registry);
        httpDuration = Timer.builder(HTTP_DURATION)
                .description("HTTP request arrival to the end of its response")
                .serviceLevelObjectives(BUCKETS).register(registry);
        upstreamConnect = Timer.builder(UPSTREAM_CONNECT)
                .description("WebSocket handshake: time to the upstream's answer")
                .serviceLevelObjectives(BUCKETS).register(registry);
        messagesToUpstream = direction(WS_MESSAGES, "to_upstream", "messages");
        messagesToClient = direction(WS_MESSAGES, "to_client", "messages");
        bytesToUpstream = direction(WS_BYTES, "to_upstream", "bytes");
        bytesToClient = direction(WS_BYTES, "to_client", "bytes");
    }

    private Counter direction(String name, String direction, String unit) {
        return Counter.builder(name).description("WebSocket payload relayed, counted when a session ends")
                .baseUnit(unit).tag("direction", direction).register(registry);
    }

    @Override
    public void httpExchange(HttpExchangeEvent event) {
        int cls = event.status() / 100 - 1;
        if (cls >= 0 && cls < httpByClass.length) {
            httpByClass[cls].increment();
        }
        httpBytes.increment(event.responseBytes());
        if (event.duration() != null) {
            httpDuration.record(event.duration());
        }
        if (event.code() != null) {
            refusal(event.code(), "http");
        }
    }

    @Override
    public void webSocketHandshake(HandshakeEvent event) {
        registry.counter(HANDSHAKES, Tags.of("status", Integer.toString(event.status()))).increment();
        if (event.upstreamConnect() != null) {
            upstreamConnect.record(event.upstreamConnect());
        }
        if (event.upgraded()) {
            open.compute(key(event.sandboxId()), (sandbox, count) -> {
                OpenCount c = count == null ? new OpenCount(sandbox) : count;
                c.value.incrementAndGet();
                return c;
            });
        } else if (event.code() != null) {
            refusal(event.code(), "websocket");
        }
    }

    @Override
    public void webSocketSession(WebSocketSessionEvent event) {
        open.computeIfPresent(key(event.sandboxId()), (sandbox, count) -> {
            if (count.value.decrementAndGet() > 0) {
                return count;
            }
            // Inside compute, so a handshake for the same sandbox cannot increment a gauge being removed.
            registry.remove(count.gauge);
            return null;
        });
        registry.counter(SESSIONS, Tags.of("closed_by", String.valueOf(event.closedBy()))).increment();
        messagesToUpstream.increment(event.messagesToUpstream());
        messagesToClient.increment(event.messagesToClient());
        bytesToUpstream.increment(event.bytesToUpstream());
        bytesToClient.increment(event.bytesToClient());
    }

    private void refusal(String code, String kind) {
        registry.counter(REFUSALS, Tags.of("code", code, "kind", kind)).increment();
    }

    private static String key(String sandboxId) {
        return sandboxId == null ? "" : sandboxId;
    }

    /** The open WebSockets of one sandbox and the gauge that reads them. */
    private final class OpenCount {
        final AtomicLong value = new AtomicLong();
        final Gauge gauge;

        OpenCount(String sandbox) {
            // The gauge holds a strong reference to its value, so it cannot read NaN while registered.
            gauge = Gauge.builder(OPEN_WEBSOCKETS, value, AtomicLong::get)
                    .description("WebSockets relayed now, per sandbox").tag("sandbox", sandbox)
                    .strongReference(true).register(registry);
        }
    }
}
