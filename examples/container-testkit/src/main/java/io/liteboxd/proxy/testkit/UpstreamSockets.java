package io.liteboxd.proxy.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The upstream's WebSocket endpoints. Public named classes because Jetty invokes listeners through method handles
 * that cannot reach anonymous or non-public classes.
 */
public final class UpstreamSockets {

    private UpstreamSockets() {
    }

    /**
     * Echoes every fragment as a fragment, text and binary, so a relay that reassembles or splits messages still
     * has to deliver identical content. Records the close it receives under the connection's probe.
     */
    public static class Echo implements Session.Listener.AutoDemanding {
        private final Upstream upstream;
        private final String probe;
        protected volatile Session session;

        public Echo(Upstream upstream, String probe) {
            this.upstream = upstream;
            this.probe = probe;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketPartialText(String payload, boolean fin) {
            onText(payload, fin);
        }

        protected void onText(String payload, boolean fin) {
            session.sendPartialText(payload, fin, Callback.NOOP);
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean fin, Callback callback) {
            // The incoming buffer is only ours until the callback completes: release it once the echo is written.
            session.sendPartialBinary(payload, fin, Callback.from(callback::succeed, callback::fail));
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            upstream.recordClose(probe, statusCode, reason);
            callback.succeed();
        }
    }

    /** Sends {@code greeting} the moment the connection opens, before any client message, then echoes. */
    public static class Greeter extends Echo {
        private final String greeting;

        public Greeter(Upstream upstream, String probe, String greeting) {
            super(upstream, probe);
            this.greeting = greeting;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            session.sendText(greeting, Callback.NOOP);
        }
    }

    /** Announces the subprotocol it accepted ({@code protocol=chat.v2}, or {@code protocol=} for none), then echoes. */
    public static class SubprotocolReport extends Echo {
        public SubprotocolReport(Upstream upstream, String probe) {
            super(upstream, probe);
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            String accepted = session.getUpgradeResponse().getAcceptedSubProtocol();
            session.sendText("protocol=" + (accepted == null ? "" : accepted), Callback.NOOP);
        }
    }

    /** Sends the handshake headers it received as a JSON text message on open, then echoes. */
    public static class HeadersReport extends Echo {
        private final Map<String, List<String>> headers;

        public HeadersReport(Upstream upstream, String probe, Map<String, List<String>> headers) {
            super(upstream, probe);
            this.headers = headers;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            try {
                session.sendText(Upstream.JSON.writeValueAsString(headers), Callback.NOOP);
            } catch (JsonProcessingException e) {
                session.close(1011, "cannot serialise headers", Callback.NOOP);
            }
        }
    }

    /** Sends a prepared JSON report of its handshake on open, then echoes text (for {@link BrowserUpstream}). */
    public static class HandshakeReport implements Session.Listener.AutoDemanding {
        private final String report;
        private volatile Session session;

        public HandshakeReport(String report) {
            this.report = report;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.sendText(report, Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }
    }

    /**
     * On the text command {@code close <code> <reason...>} closes with that code and reason; other messages are
     * echoed.
     */
    public static class CloseOnCommand extends Echo {
        private final StringBuilder pending = new StringBuilder();

        public CloseOnCommand(Upstream upstream, String probe) {
            super(upstream, probe);
        }

        @Override
        protected void onText(String payload, boolean fin) {
            pending.append(payload);
            if (!fin) {
                return;
            }
            String message = pending.toString();
            pending.setLength(0);
            if (message.startsWith("close ")) {
                String[] parts = message.split(" ", 3);
                session.close(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : null, Callback.NOOP);
            } else {
                session.sendText(message, Callback.NOOP);
            }
        }
    }
}
