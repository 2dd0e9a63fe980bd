package io.liteboxd.proxy.servlet.internal.websocket;

import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * What every relay of one servlet shares: timings and limits from {@code ProxyConfig}, the upstream client's
 * scheduler (keepalive timers; no extra thread), and the executor for sends that may block.
 *
 * @param pingInterval   keepalive ping period on both legs; zero disables
 * @param idleTimeout    a leg receiving nothing for this long is closed
 * @param writeTimeout   longest wait for one blocking hand-off to the upstream
 * @param maxMessageSize largest message relayed, in bytes
 * @param scheduler      timers
 * @param blockingSends  where sends that may block run, never a thread of the shared upstream client
 * @param closes         where closes and keepalive pings of Jakarta sessions run (they may block briefly on a dead
 *                       peer), apart from {@code blockingSends} so that stalled data sends cannot hold them up
 * @param httpClient     the upstream HTTP client (shared with the HTTP relay): TLS, pools and buffers of every leg
 * @param webSocketClient the upstream WebSocket client on {@code httpClient}, for the bridge, whose upstream leg is a
 *                       Jetty WebSocket session; null where the tunnel is used
 */
public record RelaySettings(Duration pingInterval, Duration idleTimeout, Duration writeTimeout, long maxMessageSize,
                            Scheduler scheduler, Executor blockingSends, Executor closes, HttpClient httpClient,
                            WebSocketClient webSocketClient) {

    /**
     * Jetty's own idle timer on the upstream leg: a little longer than {@link #idleTimeout()}, so that when both legs
     * go quiet together the client side (or the relay's keepalive check) closes first and the upstream is told with a
     * proper mirrored close, instead of the two timers racing and the upstream seeing its socket just drop.
     */
    public Duration upstreamIdleTimeout() {
        long millis = idleTimeout.toMillis();
        return Duration.ofMillis(millis + Math.max(1_000, millis / 4));
    }

    /** These settings with the bridge's upstream WebSocket client. */
    public RelaySettings withWebSocketClient(WebSocketClient client) {
        return new RelaySettings(pingInterval, idleTimeout, writeTimeout, maxMessageSize, scheduler, blockingSends,
                closes, httpClient, client);
    }
}
