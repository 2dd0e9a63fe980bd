package io.liteboxd.proxy.connect;

import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Turns a resolved sandbox and a route into the upstream address to dial. <b>SPI</b>.
 *
 * <p>The library ships {@link DirectPodConnector} (dial the pod IP). Other connectors route through something in
 * between, such as the Kubernetes API server's pod proxy. Called once per request on a container thread; it
 * builds an address and headers, and must not block (no network calls; cache anything read from files or
 * processes, as the Kubernetes connector does with its credentials). Credentials that expire (bearer tokens) should be
 * read here per call so that new connections pick up refreshed ones.
 */
public interface UpstreamConnector {

    /**
     * @param sandbox   the resolved, ready sandbox
     * @param route     the validated route; its raw path and query must reach the upstream unchanged
     * @param transport whether the target is for an HTTP request or a WebSocket handshake
     * @return the target; throw {@link io.liteboxd.proxy.error.ProxyException} to fail the request with a status
     */
    UpstreamTarget target(Sandbox sandbox, SandboxRoute route, Transport transport);

    /**
     * The TLS identity and trust to use for {@code https}/{@code wss} targets. Read once when the gateway starts,
     * because the upstream HTTP client is built once and shared. Empty means the JVM defaults.
     */
    default Optional<SSLContext> sslContext() {
        return Optional.empty();
    }
}
