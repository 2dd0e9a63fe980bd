package io.liteboxd.proxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Immutable gateway settings, built once with {@link #builder()} or read from init-params and environment with
 * {@link #from(Function, Map)}.
 *
 * <table>
 *   <caption>Settings, their sources and defaults</caption>
 *   <tr><th>setting</th><th>init-param</th><th>environment</th><th>default</th></tr>
 *   <tr><td>route prefix</td><td>routePrefix</td><td>LITEBOXD_ROUTE_PREFIX</td><td>/api/v1/sandbox</td></tr>
 *   <tr><td>request timeout</td><td>requestTimeout</td><td>LITEBOXD_REQUEST_TIMEOUT</td><td>30s</td></tr>
 *   <tr><td>connect timeout</td><td>connectTimeout</td><td>LITEBOXD_CONNECT_TIMEOUT</td><td>10s</td></tr>
 *   <tr><td>ping interval</td><td>pingInterval</td><td>LITEBOXD_PING_INTERVAL</td><td>20s</td></tr>
 *   <tr><td>idle timeout</td><td>idleTimeout</td><td>LITEBOXD_IDLE_TIMEOUT</td><td>60s</td></tr>
 *   <tr><td>max message size</td><td>maxMessageSize</td><td>LITEBOXD_MAX_MESSAGE_SIZE</td><td>128MiB</td></tr>
 *   <tr><td>upstream client threads</td><td>clientThreads</td><td>LITEBOXD_CLIENT_THREADS</td><td>64</td></tr>
 *   <tr><td>WebSocket relay</td><td>webSocketRelay</td><td>LITEBOXD_WEBSOCKET_RELAY</td><td>auto</td></tr>
 * </table>
 *
 * <p>An init-param wins over the environment, which wins over the default.
 */
public final class ProxyConfig {

    public static final String DEFAULT_ROUTE_PREFIX = "/api/v1/sandbox";

    /** Which WebSocket relay the servlet uses. */
    public enum WebSocketRelay {
        /**
         * The fastest relay the container allows: on Jetty 12 (ee10) a frame relay on Jetty's native WebSocket
         * API that forwards frames without decoding them; elsewhere the portable Jakarta bridge.
         */
        AUTO,
        /** Always the portable Jakarta WebSocket bridge. */
        JAKARTA
    }

    private final String routePrefix;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final long maxMessageSize;
    private final int clientThreads;
    private final WebSocketRelay webSocketRelay;

    private ProxyConfig(Builder b) {
        this.routePrefix = b.routePrefix;
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.pingInterval = b.pingInterval;
        this.idleTimeout = b.idleTimeout;
        this.maxMessageSize = b.maxMessageSize;
        this.clientThreads = b.clientThreads;
        this.webSocketRelay = b.webSocketRelay;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant. */
    public Builder toBuilder() {
        return builder().routePrefix(routePrefix).requestTimeout(requestTimeout).connectTimeout(connectTimeout)
                .pingInterval(pingInterval).idleTimeout(idleTimeout).maxMessageSize(maxMessageSize)
                .clientThreads(clientThreads).webSocketRelay(webSocketRelay);
    }

    /** The defaults. */
    public static ProxyConfig defaults() {
        return builder().build();
    }

    /**
     * Reads every setting from {@code initParams} (e.g. {@code ServletConfig::getInitParameter}) and then
     * {@code env}, falling back to the defaults. Malformed values fail with a message naming the setting.
     */
    public static ProxyConfig from(Function<String, String> initParams, Map<String, String> env) {
        Builder b = builder();
        Setting s = new Setting(initParams, env);
        s.text("routePrefix").ifPresent(b::routePrefix);
        s.duration("requestTimeout").ifPresent(b::requestTimeout);
        s.duration("connectTimeout").ifPresent(b::connectTimeout);
        s.duration("pingInterval").ifPresent(b::pingInterval);
        s.duration("idleTimeout").ifPresent(b::idleTimeout);
        s.size("maxMessageSize").ifPresent(b::maxMessageSize);
        s.integer("clientThreads").ifPresent(b::clientThreads);
        s.text("webSocketRelay").ifPresent(v -> {
            try {
                b.webSocketRelay(WebSocketRelay.valueOf(v.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webSocketRelay: expected auto or jakarta, got " + v, e);
            }
        });
        return b.build();
    }

    /** Route prefix before {@code /{sandbox-id}/port/{port}}, relative to the servlet context. */
    public String routePrefix() {
        return routePrefix;
    }

    /**
     * The seed's {@code RequestTimeout}: how long one read or write on either leg may stall (HTTP idle timeout, and
     * WebSocket send timeout). Not a limit on the total duration of a streamed response or a WebSocket session.
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Upper bound on opening the upstream TCP connection and completing its WebSocket handshake. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How often both WebSocket legs are pinged while open; {@link Duration#ZERO} disables keepalive pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** A WebSocket leg that receives nothing (not even a pong) for this long is closed, and so is its partner. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Largest WebSocket message relayed, in bytes; a larger one closes both legs with 1009. */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** Maximum threads of the upstream HTTP/WebSocket client (shared by every connection, not one per connection). */
    public int clientThreads() {
        return clientThreads;
    }

    /** Which WebSocket relay to use; {@link WebSocketRelay#AUTO} by default. */
    public WebSocketRelay webSocketRelay() {
        return webSocketRelay;
    }

    @Override
    public String toString() {
        return "ProxyConfig{routePrefix=" + routePrefix + ", requestTimeout=" + requestTimeout
                + ", connectTimeout=" + connectTimeout + ", pingInterval=" + pingInterval
                + ", idleTimeout=" + idleTimeout + ", maxMessageSize=" + maxMessageSize
                + ", clientThreads=" + clientThreads + ", webSocketRelay=" + webSocketRelay + "}";
    }

    /** Builder with the documented defaults; every setter validates its argument. */
    public static final class Builder {
        private String routePrefix = DEFAULT_ROUTE_PREFIX;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private long maxMessageSize = 128L * 1024 * 1024;
        private int clientThreads = 64;
        private WebSocketRelay webSocketRelay = WebSocketRelay.AUTO;

        private Builder() {
        }

        public Builder webSocketRelay(WebSocketRelay relay) {
            this.webSocketRelay = Objects.requireNonNull(relay, "webSocketRelay");
            return this;
        }

        public Builder routePrefix(String prefix) {
            Objects.requireNonNull(prefix, "routePrefix");
            if (!prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("routePrefix must start with '/' and not end with '/': " + prefix);
            }
            this.routePrefix = prefix;
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive("requestTimeout", d);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        public Builder pingInterval(Duration d) {
            Objects.requireNonNull(d, "pingInterval");
            if (d.isNegative()) {
                throw new IllegalArgumentException("pingInterval must not be negative: " + d);
            }
            this.pingInterval = d;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive("idleTimeout", d);
            return this;
        }

        public Builder maxMessageSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder clientThreads(int threads) {
            if (threads < 8) {
                throw new IllegalArgumentException("clientThreads must be at least 8: " + threads);
            }
            this.clientThreads = threads;
            return this;
        }

        public ProxyConfig build() {
            if (!pingInterval.isZero() && pingInterval.compareTo(idleTimeout) >= 0) {
                throw new IllegalArgumentException("pingInterval (" + pingInterval
                        + ") must be shorter than idleTimeout (" + idleTimeout + ") or zero");
            }
            return new ProxyConfig(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }

    /** One lookup of a named setting through init-param then environment ({@code LITEBOXD_UPPER_SNAKE}). */
    private record Setting(Function<String, String> initParams, Map<String, String> env) {

        java.util.Optional<String> text(String name) {
            String v = initParams == null ? null : initParams.apply(name);
            if (v == null || v.isBlank()) {
                v = env == null ? null : env.get(envName(name));
            }
            return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(v.trim());
        }

        java.util.Optional<Duration> duration(String name) {
            return text(name).map(v -> {
                try {
                    return Durations.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                }
            });
        }

        java.util.Optional<Long> size(String name) {
            return text(name).map(v -> {
                try {
                    return Sizes.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                }
            });
        }

        java.util.Optional<Integer> integer(String name) {
            return text(name).map(v -> {
                try {
                    return Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": not an integer: " + v, e);
                }
            });
        }

        static String envName(String camel) {
            StringBuilder sb = new StringBuilder("LITEBOXD_");
            for (char c : camel.toCharArray()) {
                if (Character.isUpperCase(c)) {
                    sb.append('_');
                }
                sb.append(Character.toUpperCase(c));
            }
            return sb.toString().toUpperCase(Locale.ROOT);
        }
    }
}
