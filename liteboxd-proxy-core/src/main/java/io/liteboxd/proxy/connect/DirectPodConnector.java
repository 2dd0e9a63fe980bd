package io.liteboxd.proxy.connect;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Dials the sandbox pod directly: {@code http://{podIP}:{port}{path}?{query}} and {@code ws://...} alike.
 *
 * <p>The route's raw path and query are appended unchanged; nothing is decoded or re-encoded. Requires a network
 * path (and NetworkPolicy) from the gateway to the sandbox pods.
 */
public final class DirectPodConnector implements UpstreamConnector {

    @Override
    public UpstreamTarget target(Sandbox sandbox, SandboxRoute route, Transport transport) {
        String host = sandbox.host();
        if (host == null || host.isBlank()) {
            throw new ProxyException(ProxyError.SANDBOX_NOT_READY, "sandbox has no address yet");
        }
        String scheme = transport == Transport.WEBSOCKET ? "ws" : "http";
        String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        String uri = scheme + "://" + authority + ":" + route.port() + route.pathAndQuery();
        try {
            return new UpstreamTarget(new URI(uri));
        } catch (URISyntaxException e) {
            // The raw path passed our route checks but is not a legal URI (e.g. a raw space or non-ASCII byte).
            throw new ProxyException(ProxyError.ROUTE_INVALID, "path or query is not a valid URI: " + e.getReason());
        }
    }
}
