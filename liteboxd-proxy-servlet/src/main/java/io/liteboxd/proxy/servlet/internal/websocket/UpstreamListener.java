package io.liteboxd.proxy.servlet.internal.websocket;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The Jetty client listener of the upstream leg. Not auto-demanding: the bridge demands each frame only when the
 * client has taken the previous one. Public because Jetty invokes listener methods through method handles, which
 * fail on non-public classes.
 */
public final class UpstreamListener implements Session.Listener {

    private final WebSocketBridge bridge;

    UpstreamListener(WebSocketBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        bridge.upstreamOpened(session);
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean last) {
        bridge.upstreamText(payload, last);
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        bridge.upstreamBinary(payload, last, callback);
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        bridge.upstreamPing(payload);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        bridge.upstreamPong(payload);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        bridge.upstreamClosed(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        bridge.upstreamFailed(cause);
    }
}
