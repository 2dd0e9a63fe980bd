package io.liteboxd.proxy.servlet.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.ServletContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the relay kind once per servlet: the Jetty-native frame relay when the container is Jetty 12 ee10 and the
 * configuration allows it, else the portable Jakarta bridge.
 *
 * <p>The Jetty relay is loaded by name so that on other containers, where Jetty's server classes are absent, none
 * of its classes is ever linked.
 */
final class RelaySelection {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySelection.class);
    private static final String JETTY_CONTAINER = "org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer";
    private static final String JETTY_FACTORY = "io.liteboxd.proxy.servlet.websocket.jetty.FrameRelayFactory";

    private RelaySelection() {
    }

    static Relay.Factory choose(ProxyConfig config, RelaySettings settings, ServletContext context) {
        if (config.webSocketRelay() == ProxyConfig.WebSocketRelay.AUTO && present(JETTY_CONTAINER)) {
            try {
                Class<?> factory = Class.forName(JETTY_FACTORY, true, RelaySelection.class.getClassLoader());
                return (Relay.Factory) factory.getConstructor(RelaySettings.class, ServletContext.class)
                        .newInstance(settings, context);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // Jetty classes are visible but this context is not Jetty's (or its WebSocket server is unusable).
                LOG.debug("Jetty-native WebSocket relay unavailable, using the Jakarta bridge", e);
            }
        }
        return WebSocketBridge.factory(settings);
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, RelaySelection.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
