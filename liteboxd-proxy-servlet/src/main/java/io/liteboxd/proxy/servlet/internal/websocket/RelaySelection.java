package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.ServletContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the relay kind once per servlet: on Jetty 12 ee10 the tunnel ({@code auto}), else the portable Jakarta
 * bridge.
 *
 * <p>The Jetty tunnel's factory is loaded by name, and no class here names a Jetty server type, so that on other
 * containers, where Jetty's server classes are absent, nothing of the tunnel's Jetty side is ever linked: loading the
 * factory there fails with a {@link LinkageError}, and the bridge is used.
 */
final class RelaySelection {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySelection.class);
    private static final String TUNNEL_FACTORY = "io.liteboxd.proxy.servlet.internal.websocket.jetty.TunnelRelayFactory";

    private RelaySelection() {
    }

    /**
     * The tunnel, or null when the Jakarta bridge is to be used (the caller then builds the bridge, and only then its
     * upstream WebSocket client).
     */
    static Relay.Factory tunnel(ProxyConfig config, RelaySettings settings, ServletContext context) {
        return config.webSocketRelay() == ProxyConfig.WebSocketRelay.AUTO ? loadTunnel(settings, context) : null;
    }

    private static Relay.Factory loadTunnel(RelaySettings settings, ServletContext context) {
        try {
            Class<?> factory = Class.forName(TUNNEL_FACTORY, true, RelaySelection.class.getClassLoader());
            return (Relay.Factory) factory.getConstructor(RelaySettings.class, ServletContext.class)
                    .newInstance(settings, context);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Not Jetty, or Jetty classes visible but this context not Jetty's (a webapp bundling its own copy).
            LOG.debug("{} unavailable, using the Jakarta bridge", TUNNEL_FACTORY, e);
            return null;
        }
    }
}
