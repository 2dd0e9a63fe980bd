package io.liteboxd.proxy.servlet.websocket.jetty;

import io.liteboxd.proxy.servlet.websocket.Relay;
import io.liteboxd.proxy.servlet.websocket.RelaySettings;
import jakarta.servlet.ServletContext;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Creates {@link FrameRelay}s. Instantiated by name, and only when Jetty 12 ee10's WebSocket server classes are on
 * the class path; the constructor fails (and the portable bridge is used) when this context is not a Jetty one or
 * when Jetty's classes are not the ones this library was linked with (e.g. a webapp with its own copy).
 */
public final class FrameRelayFactory implements Relay.Factory {

    private final RelaySettings settings;

    public FrameRelayFactory(RelaySettings settings, ServletContext context) throws ClassNotFoundException {
        this.settings = settings;
        ClassLoader serverLoader = JettyWebSocketServerContainer.class.getClassLoader();
        if (Class.forName(Session.class.getName(), false, serverLoader) != Session.class) {
            throw new IllegalStateException("Jetty's WebSocket API is loaded twice; cannot share sessions");
        }
        // Creates Jetty's native WebSocket container in this context if the application did not.
        JettyWebSocketServerContainer.ensureContainer(context);
    }

    @Override
    public Relay newRelay(String name, Consumer<Relay> onFinished) {
        return new FrameRelay(settings, name, onFinished);
    }

    @Override
    public String describe() {
        return "jetty-frame-relay (Jetty native, frames forwarded without decoding)";
    }

    @Override
    public boolean supports(ServletContext context) {
        return JettyWebSocketServerContainer.getContainer(context) != null;
    }
}
