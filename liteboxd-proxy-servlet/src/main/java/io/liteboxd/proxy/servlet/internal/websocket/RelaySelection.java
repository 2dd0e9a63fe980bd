package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.servlet.internal.websocket.upgrade.UpgradeTunnelFactory;
import jakarta.servlet.ServletContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the relay kind once per servlet. With {@code auto}: on Jetty 12 ee10 the Jetty tunnel, on Tomcat 10.1+ the
 * tunnel over the Servlet API's protocol upgrade, elsewhere (and always with {@code jakarta}) the portable Jakarta
 * bridge.
 *
 * <p>The Jetty tunnel's factory is loaded by name, and no class here names a Jetty server type, so that on other
 * containers, where Jetty's server classes are absent, nothing of the tunnel's Jetty side is ever linked: loading the
 * factory there fails with a {@link LinkageError}, and the next kind is tried.
 */
final class RelaySelection {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySelection.class);
    private static final String JETTY_TUNNEL_FACTORY =
            "io.liteboxd.proxy.servlet.internal.websocket.jetty.TunnelRelayFactory";

    private RelaySelection() {
    }

    /**
     * The tunnel for this container, or null when the Jakarta bridge is to be used (then the caller builds the
     * bridge, and only then its upstream WebSocket client).
     */
    static Relay.Factory tunnel(ProxyConfig config, RelaySettings settings, ServletContext context) {
        if (config.webSocketRelay() != ProxyConfig.WebSocketRelay.AUTO) {
            return null;
        }
        Relay.Factory jetty = loadJettyTunnel(settings, context);
        if (jetty != null) {
            return jetty;
        }
        return UpgradeTunnelFactory.supported(context) ? new UpgradeTunnelFactory(settings) : null;
    }

    private static Relay.Factory loadJettyTunnel(RelaySettings settings, ServletContext context) {
        try {
            Class<?> factory = Class.forName(JETTY_TUNNEL_FACTORY, true, RelaySelection.class.getClassLoader());
            return (Relay.Factory) factory.getConstructor(RelaySettings.class, ServletContext.class)
                    .newInstance(settings, context);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Not Jetty, or Jetty classes visible but this context not Jetty's (a webapp bundling its own copy).
            LOG.debug("{} unavailable", JETTY_TUNNEL_FACTORY, e);
            return null;
        }
    }
}
