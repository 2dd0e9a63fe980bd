package io.liteboxd.proxy.observe;

import java.time.Duration;

/**
 * One relayed WebSocket session, reported when both legs are closed.
 *
 * @param requestId         the {@code X-Request-ID} of its handshake
 * @param sandboxId         the sandbox
 * @param port              the sandbox port
 * @param closedBy          {@code client}, {@code upstream} or {@code gateway} (limits, errors, shutdown)
 * @param closeCode         the close code of the side that closed first
 * @param messagesToUpstream messages relayed from client to upstream
 * @param bytesToUpstream   payload bytes relayed from client to upstream
 * @param messagesToClient  messages relayed from upstream to client
 * @param bytesToClient     payload bytes relayed from upstream to client
 * @param duration          from the upgrade to the last close
 */
public record WebSocketSessionEvent(String requestId, String sandboxId, int port, String closedBy, int closeCode,
                                    long messagesToUpstream, long bytesToUpstream, long messagesToClient,
                                    long bytesToClient, Duration duration) {
}
