package io.liteboxd.bench;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The page-load figure's WebSocket, shaped like a dev server's hot-reload socket: it speaks first (a greeting as
 * soon as it is open), then echoes like {@link EchoEndpoint}. Public and named: Jetty invokes listeners through
 * method handles.
 */
public final class GreetingEndpoint implements Session.Listener {

    private final Session.Listener echo = new EchoEndpoint();

    @Override
    public void onWebSocketOpen(Session session) {
        // The echo demands once its greeting is written, so a client that reads nothing holds nothing back.
        session.sendText("{\"type\":\"connected\"}", Callback.from(() -> echo.onWebSocketOpen(session),
                cause -> session.close()));
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean fin) {
        echo.onWebSocketPartialText(payload, fin);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // A page closed mid-greeting; nothing to report.
    }
}
