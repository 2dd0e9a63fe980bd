package io.liteboxd.proxy.servlet.internal.websocket;

import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;

/**
 * What every relay of one servlet shares: timings and limits from {@code ProxyConfig}, and the upstream client, whose
 * scheduler runs the relays' timers (no extra thread).
 *
 * @param pingInterval   keepalive ping period on both legs; zero disables
 * @param idleTimeout    a leg receiving nothing for this long is closed
 * @param writeTimeout   longest wait for one blocking hand-off to the upstream
 * @param maxMessageSize largest message relayed, in bytes
 * @param httpClient     the upstream HTTP client (shared with the HTTP relay): TLS, pools and buffers of every leg
 */
public record RelaySettings(Duration pingInterval, Duration idleTimeout, Duration writeTimeout, long maxMessageSize,
                            HttpClient httpClient) {

    /**
     * Jetty's own idle timer on the upstream leg: a little longer than {@link #idleTimeout()}, so that when both legs
     * go quiet together the client side (or the relay's keepalive check) closes first and the upstream is told with a
     * proper mirrored close, instead of the two timers racing and the upstream seeing its socket just drop.
     */
    public Duration upstreamIdleTimeout() {
        long millis = idleTimeout.toMillis();
        return Duration.ofMillis(millis + Math.max(1_000, millis / 4));
    }
}
