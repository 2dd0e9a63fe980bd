package io.liteboxd.proxy.resolve;

import java.util.Optional;

/**
 * Finds where a sandbox runs. <b>SPI</b>: supply your own to plug the gateway into your sandbox registry.
 *
 * <p>Called once per HTTP request and once per WebSocket handshake, after authentication, on a container thread:
 * keep it fast and non-blocking (serve from a cache or an informer, not a remote call per request).
 *
 * <p>Outcomes: an empty result answers 404 {@code sandbox_not_found}; a sandbox that is not
 * {@link Sandbox#ready() ready} answers 503 {@code sandbox_not_ready}; a thrown exception answers 503
 * {@code internal_error} and is logged. Throw {@link io.liteboxd.proxy.error.ProxyException} to choose the status
 * yourself (e.g. 503 while a cache is still warming up).
 */
@FunctionalInterface
public interface SandboxResolver {

    /**
     * @param sandboxId a validated sandbox id (lower-case letters, digits, inner hyphens; at most 63 chars)
     * @return the sandbox, or empty if there is no such sandbox
     */
    Optional<Sandbox> resolve(String sandboxId);
}
