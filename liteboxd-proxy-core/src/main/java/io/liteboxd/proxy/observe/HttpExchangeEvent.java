package io.liteboxd.proxy.observe;

import java.time.Duration;

/**
 * One HTTP request through the gateway.
 *
 * @param requestId     the {@code X-Request-ID} (the client's, or one the gateway generated)
 * @param sandboxId     the sandbox, or {@code null} if the route was invalid
 * @param port          the sandbox port, or 0 if the route was invalid
 * @param method        the request method
 * @param status        the status sent to the client
 * @param code          the gateway's error code when the gateway answered itself, else {@code null}
 * @param responseBytes body bytes sent to the client
 * @param duration      from the request's arrival to the end of the response
 */
public record HttpExchangeEvent(String requestId, String sandboxId, int port, String method, int status, String code,
                                long responseBytes, Duration duration) {
}
