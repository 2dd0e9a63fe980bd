package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.ServletContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the relay kind once per servlet. With {@code auto}: on Jetty 12 ee10 the Jetty tunnel, on Tomcat 10.1+ the
 * Tomcat tunnel, elsewhere (and always with {@code jakarta}) the portable Jakarta bridge.
 *
 * <p>Each tunnel's factory is loaded by name, and no class here names a container type, so that on other containers,
 * where that container's classes are absent, nothing of the tunnel's container side is ever linked: loading the
 * factory there fails with a {@link LinkageError}, and the next kind is tried.
 */
final class RelaySelection {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySelection.class);
    private static final String JETTY_TUNNEL = "io.liteboxd.proxy.servlet.internal.websocket.jetty.TunnelRelayFactory";
    private static final String TOMCAT_TUNNEL =
            "io.liteboxd.proxy.servlet.internal.websocket.tomcat.TomcatTunnelFactory";

    private RelaySelection() {
    }

    /**
     * The tunnel, or null when the Jakarta bridge is to be used (the caller then builds the bridge, and only then its
     * upstream WebSocket client).
     */
    static Relay.Factory tunnel(ProxyConfig config, RelaySettings settings, ServletContext context) {
        if (config.webSocketRelay() != ProxyConfig.WebSocketRelay.AUTO) {
            return null;
        }
        Relay.Factory jetty = load(JETTY_TUNNEL, settings, context);
        if (jetty != null) {
            return jetty;
        }
        Relay.Factory tomcat = load(TOMCAT_TUNNEL, settings, context);
        if (tomcat == null && String.valueOf(context.getServerInfo()).startsWith("Apache Tomcat/")) {
            // Tomcat, yet its tunnel cannot be used (Tomcat classes bundled by the webapp, or an untested version).
            LOG.warn("Tomcat's WebSocket tunnel is unavailable in {}; using the slower Jakarta bridge (debug logging"
                    + " of {} says why)", context.getServerInfo(), RelaySelection.class.getName());
        }
        return tomcat;
    }

    private static Relay.Factory load(String name, RelaySettings settings, ServletContext context) {
        try {
            Class<?> factory = Class.forName(name, true, RelaySelection.class.getClassLoader());
            return (Relay.Factory) factory.getConstructor(RelaySettings.class, ServletContext.class)
                    .newInstance(settings, context);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Not this container, or its classes visible but this context not the container's own.
            LOG.debug("{} unavailable", name, e);
            return null;
        }
    }
}
