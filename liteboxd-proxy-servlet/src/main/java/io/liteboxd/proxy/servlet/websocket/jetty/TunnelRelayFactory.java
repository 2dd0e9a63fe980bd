package io.liteboxd.proxy.servlet.websocket.jetty;

import io.liteboxd.proxy.servlet.websocket.Relay;
import io.liteboxd.proxy.servlet.websocket.RelaySettings;
import jakarta.servlet.ServletContext;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * Creates {@link TunnelRelay}s. Instantiated by name, and only when Jetty 12 ee10's servlet classes are on the class
 * path; the constructor fails (and another relay is used) when this context is not a Jetty ee10 one, or when the
 * Jetty classes this library sees are not the container's (a webapp that bundles its own copy).
 */
public final class TunnelRelayFactory implements Relay.Factory {

    private final RelaySettings settings;

    public TunnelRelayFactory(RelaySettings settings, ServletContext context) {
        this.settings = settings;
        if (!supports(context)) {
            throw new IllegalStateException("not a Jetty 12 ee10 servlet context");
        }
    }

    @Override
    public Relay newRelay(String name, Consumer<Relay> onFinished) {
        return new TunnelRelay(settings, name, onFinished);
    }

    @Override
    public String describe() {
        return "jetty-tunnel (Jetty native, byte stream relayed as received, frames checked in place)";
    }

    @Override
    public boolean supports(ServletContext context) {
        try {
            return ServletContextHandler.getServletContextHandler(context) != null;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
