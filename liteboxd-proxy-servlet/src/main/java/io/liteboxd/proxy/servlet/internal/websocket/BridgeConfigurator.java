package io.liteboxd.proxy.servlet.internal.websocket;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Completes the client's upgrade for one connection whose upstream leg is already open.
 *
 * <p>It refuses (403, via {@link #checkOrigin}) any handshake that does not carry the one-shot ticket the servlet
 * issued after authenticating, so the endpoint cannot be reached around the servlet. It negotiates exactly the
 * subprotocol the upstream chose (none if it chose none). The upstream's response headers, as the header policy left
 * them, are already on the servlet response when the upgrade starts (see {@link WebSocketBridge}).
 */
public final class BridgeConfigurator extends ServerEndpointConfig.Configurator {

    private final WebSocketBridge bridge;
    private final String upstreamSubprotocol;

    BridgeConfigurator(WebSocketBridge bridge, String upstreamSubprotocol) {
        this.bridge = bridge;
        this.upstreamSubprotocol = upstreamSubprotocol == null ? "" : upstreamSubprotocol;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return bridge.claim();
    }

    /**
     * The upstream chose from the list the servlet parsed out of every {@code Sec-WebSocket-Protocol} line, so its
     * choice is always one the client offered. {@code requested} is not consulted: Undertow fills it from the first
     * header line only, and would lose a protocol offered on a later line.
     */
    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return upstreamSubprotocol;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass != ClientEndpoint.class) {
            throw new InstantiationException("unexpected endpoint class " + endpointClass.getName());
        }
        return (T) new ClientEndpoint(bridge);
    }
}
