package io.liteboxd.proxy.servlet.internal.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/**
 * The Jakarta endpoint of the client leg, one instance per connection (handed out by {@link BridgeConfigurator}).
 * Public because containers instantiate and introspect endpoint classes reflectively.
 */
public final class ClientEndpoint extends Endpoint {

    private final WebSocketBridge bridge;

    ClientEndpoint(WebSocketBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        bridge.clientOpened(session);
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        bridge.clientClosed(closeReason);
    }

    @Override
    public void onError(Session session, Throwable cause) {
        bridge.clientFailed(cause);
    }
}
