package io.liteboxd.gateway;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo sandbox's WebSocket endpoint: greets, then echoes every text and binary message.
 *
 * <p>Public and named because Jetty invokes listeners reflectively and refuses anonymous or non-public classes.
 * The greeting is sent the instant the handshake completes on purpose: a relay that reads the upstream before the
 * client leg is open would lose it, so it doubles as a check of the gateway.
 */
public final class EchoSocket implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(EchoSocket.class);

    public static final String GREETING = "hello from the liteboxd demo sandbox";

    private volatile Session session;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        session.sendText(GREETING, Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String message) {
        session.sendText(message, Callback.NOOP);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        // The payload belongs to Jetty until callback completes, so it is released only once the echo is sent.
        session.sendBinary(payload, callback);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // A visitor closing the tab mid-message is routine for a demo; Jetty would otherwise log it as a warning.
        LOG.debug("Demo WebSocket failed", cause);
    }
}
