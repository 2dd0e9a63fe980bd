package io.liteboxd.bench;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Sends text messages of a fixed size back to back, each one only after the previous one was written (so TCP
 * backpressure from a reader that does not read stops it). Used for the slow-reader figure: whatever a proxy
 * buffers between this and a client that stopped reading shows up in the proxy's heap.
 */
public final class FloodEndpoint implements Session.Listener {

    private final String message;
    private volatile Session session;

    public FloodEndpoint(int size) {
        this.message = Payloads.filler(size);
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        session.demand();
        sendNext();
    }

    private void sendNext() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.sendText(message, Callback.from(this::sendNext, cause -> { }));
        }
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        Session s = session;
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.slice()).flip();
        s.sendPong(copy, Callback.from(s::demand, cause -> { }));
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        session.demand();
    }

    @Override
    public void onWebSocketText(String message) {
        session.demand();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
    }
}
