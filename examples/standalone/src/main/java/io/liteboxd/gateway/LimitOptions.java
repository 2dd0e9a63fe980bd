package io.liteboxd.gateway;

import io.liteboxd.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * What the gateway holds open for clients that have not (yet) authenticated, and for WebSockets.
 *
 * @param headerTimeout           longest time from a request head's first byte to its end ({@code --header-timeout});
 *                                zero for none
 * @param maxConnections          most client connections open at once ({@code --max-connections}); 0 for no cap
 * @param maxConnectionsPerIp     most client connections from one address ({@code --max-connections-per-ip}); 0 for
 *                                no cap
 * @param maxWebSockets           {@link ProxyConfig#maxConnections()} ({@code --max-websockets})
 * @param maxWebSocketsPerSandbox {@link ProxyConfig#maxConnectionsPerSandbox()} ({@code --max-websockets-per-sandbox})
 */
public record LimitOptions(Duration headerTimeout, int maxConnections, int maxConnectionsPerIp, int maxWebSockets,
                           int maxWebSocketsPerSandbox) {

    /** As nginx's {@code client_header_timeout}. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(60);
    /** Above {@link ProxyConfig#DEFAULT_MAX_CONNECTIONS} WebSockets plus the HTTP requests beside them. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    /**
     * Room for a whole office behind one NAT address, and a small share of the total for one hostile client; behind a
     * reverse proxy every client shares the proxy's address, so raise it there or turn it off.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;

    /** The documented defaults. */
    public static final LimitOptions DEFAULTS = new LimitOptions(DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONNECTIONS_PER_IP, ProxyConfig.DEFAULT_MAX_CONNECTIONS,
            ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_SANDBOX);

    public LimitOptions {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (headerTimeout.isNegative()) {
            throw new IllegalArgumentException("headerTimeout must not be negative: " + headerTimeout);
        }
        notNegative("maxConnections", maxConnections);
        notNegative("maxConnectionsPerIp", maxConnectionsPerIp);
        notNegative("maxWebSockets", maxWebSockets);
        notNegative("maxWebSocketsPerSandbox", maxWebSocketsPerSandbox);
    }

    /** No cap and no deadline at all (benchmarks that hold thousands of connections from one address). */
    public static LimitOptions none() {
        return new LimitOptions(Duration.ZERO, 0, 0, 0, 0);
    }

    public LimitOptions withHeaderTimeout(Duration timeout) {
        return new LimitOptions(timeout, maxConnections, maxConnectionsPerIp, maxWebSockets, maxWebSocketsPerSandbox);
    }

    public LimitOptions withConnections(int total, int perIp) {
        return new LimitOptions(headerTimeout, total, perIp, maxWebSockets, maxWebSocketsPerSandbox);
    }

    private static void notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 (no limit) or positive: " + value);
        }
    }
}
