package io.liteboxd.bench;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The upstream WebSocket echo: every frame is echoed as it arrives (text and binary, fragments included), and the
 * next frame is demanded only once the echo was written, so a client that stops reading stops the echo's reading
 * too. Public and named: Jetty invokes listeners through method handles.
 */
public final class EchoEndpoint implements Session.Listener {

    private volatile Session session;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        session.demand();
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean fin) {
        Session s = session;
        s.sendPartialText(payload, fin, Callback.from(s::demand, cause -> s.close()));
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean fin, Callback callback) {
        Session s = session;
        s.sendPartialBinary(payload, fin, Callback.from(() -> {
            callback.succeed();
            s.demand();
        }, cause -> {
            callback.fail(cause);
            s.close();
        }));
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        Session s = session;
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.slice()).flip();
        s.sendPong(copy, Callback.from(s::demand, cause -> s.close()));
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        session.demand();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Clients of a benchmark vanish mid-message when a phase ends; nothing to report.
    }
}
