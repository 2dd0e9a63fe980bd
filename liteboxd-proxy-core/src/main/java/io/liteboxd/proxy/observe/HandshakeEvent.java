package io.liteboxd.proxy.observe;

import java.time.Duration;

/**
 * The outcome of one WebSocket handshake.
 *
 * @param requestId       the {@code X-Request-ID}
 * @param sandboxId       the sandbox, or {@code null} if the route was invalid
 * @param port            the sandbox port, or 0
 * @param status          101 when upgraded, else the refusal's status
 * @param code            the gateway's error code for a refusal, else {@code null}
 * @param upstreamConnect time to the upstream's handshake answer, or {@code null} if the upstream was not dialled
 */
public record HandshakeEvent(String requestId, String sandboxId, int port, int status, String code,
                             Duration upstreamConnect) {

    public boolean upgraded() {
        return status == 101;
    }
}
