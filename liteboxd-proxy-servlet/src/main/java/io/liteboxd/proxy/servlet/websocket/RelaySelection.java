package io.liteboxd.proxy.servlet.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.ServletContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the relay kind once per servlet: on Jetty 12 ee10 the tunnel ({@code auto}) or the frame relay
 * ({@code frames}), else the portable Jakarta bridge.
 *
 * <p>The Jetty relays are loaded by name so that on other containers, where Jetty's server classes are absent, none
 * of their classes is ever linked.
 */
final class RelaySelection {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySelection.class);
    private static final String JETTY_SERVLET = "org.eclipse.jetty.ee10.servlet.ServletContextRequest";
    private static final String JETTY_WEBSOCKET = "org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer";
    private static final String TUNNEL_FACTORY = "io.liteboxd.proxy.servlet.websocket.jetty.TunnelRelayFactory";
    private static final String FRAMES_FACTORY = "io.liteboxd.proxy.servlet.websocket.jetty.FrameRelayFactory";

    private RelaySelection() {
    }

    static Relay.Factory choose(ProxyConfig config, RelaySettings settings, ServletContext context) {
        Relay.Factory jetty = switch (config.webSocketRelay()) {
            case AUTO -> load(JETTY_SERVLET, TUNNEL_FACTORY, settings, context);
            case FRAMES -> load(JETTY_WEBSOCKET, FRAMES_FACTORY, settings, context);
            case JAKARTA -> null;
        };
        if (jetty == null && config.webSocketRelay() == ProxyConfig.WebSocketRelay.FRAMES) {
            LOG.warn("webSocketRelay=frames needs Jetty 12 ee10 with jetty-ee10-websocket-jetty-server; "
                    + "using the portable Jakarta bridge");
        }
        return jetty != null ? jetty : WebSocketBridge.factory(settings);
    }

    private static Relay.Factory load(String marker, String factoryName, RelaySettings settings, ServletContext context) {
        if (!present(marker)) {
            return null;
        }
        try {
            Class<?> factory = Class.forName(factoryName, true, RelaySelection.class.getClassLoader());
            return (Relay.Factory) factory.getConstructor(RelaySettings.class, ServletContext.class)
                    .newInstance(settings, context);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Jetty classes are visible but this context is not Jetty's (or its WebSocket server is unusable).
            LOG.debug("{} unavailable, using the Jakarta bridge", factoryName, e);
            return null;
        }
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
