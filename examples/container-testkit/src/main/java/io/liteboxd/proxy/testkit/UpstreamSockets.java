package io.liteboxd.proxy.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.ByteArrayOutputStream;
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
     * has to deliver identical content. With {@code fragments >= 1} it echoes whole messages only, each text message
     * as that many frames: nothing goes back while a message is still arriving, which a test of what the gateway
     * does with a half-received message needs. Records the close it receives under the connection's probe.
     */
    public static class Echo implements Session.Listener.AutoDemanding {
        private final Upstream upstream;
        private final String probe;
        protected final int fragments;
        private final StringBuilder message = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        protected volatile Session session;

        public Echo(Upstream upstream, String probe) {
            this(upstream, probe, 0);
        }

        public Echo(Upstream upstream, String probe, int fragments) {
            this.upstream = upstream;
            this.probe = probe;
            this.fragments = fragments;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            upstream.opened(session);
        }

        @Override
        public void onWebSocketPartialText(String payload, boolean fin) {
            onText(payload, fin);
        }

        protected void onText(String payload, boolean fin) {
            if (fragments < 1) {
                session.sendPartialText(payload, fin, Callback.NOOP);
                return;
            }
            message.append(payload);
            if (fin) {
                String whole = message.toString();
                message.setLength(0);
                sendText(whole, Callback.NOOP);
            }
        }

        /** Sends a whole text message, as {@link #fragments} frames when asked to. */
        protected void sendText(String text, Callback done) {
            UpstreamSockets.sendText(session, text, fragments, done);
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean fin, Callback callback) {
            if (fragments < 1) {
                // The incoming buffer is only ours until the callback completes: release it once the echo is written.
                session.sendPartialBinary(payload, fin, Callback.from(callback::succeed, callback::fail));
                return;
            }
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            binary.writeBytes(bytes);
            callback.succeed();
            if (fin) {
                ByteBuffer whole = ByteBuffer.wrap(binary.toByteArray());
                binary.reset();
                session.sendBinary(whole, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            upstream.recordClose(session, probe, statusCode, reason);
            callback.succeed();
        }

        /**
         * Not the close: a write that fails because the gateway closed first lands here, and Jetty reports the close
         * the connection ended with to {@link #onWebSocketClose} afterwards.
         */
        @Override
        public void onWebSocketError(Throwable cause) {
        }
    }

    /** Sends {@code greeting} the moment the connection opens, before any client message, then echoes. */
    public static class Greeter extends Echo {
        private final String greeting;

        public Greeter(Upstream upstream, String probe, String greeting) {
            this(upstream, probe, greeting, 0);
        }

        public Greeter(Upstream upstream, String probe, String greeting, int fragments) {
            super(upstream, probe, fragments);
            this.greeting = greeting;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            session.sendText(greeting, Callback.NOOP);
        }
    }

    /**
     * Announces the subprotocol it accepted ({@code protocol=chat.v2}, or {@code protocol=} for none), then echoes
     * and obeys close commands as {@link CloseOnCommand}.
     */
    public static class SubprotocolReport extends CloseOnCommand {
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
            this(upstream, probe, 0);
        }

        public CloseOnCommand(Upstream upstream, String probe, int fragments) {
            super(upstream, probe, fragments);
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
                sendText(message, Callback.NOOP);
            }
        }
    }

    /**
     * Writes text messages of a fixed size as fast as the connection takes them, each after the previous one was
     * written, until the connection ends: only TCP backpressure paces it.
     */
    public static class Firehose implements Session.Listener.AutoDemanding {
        private final Upstream upstream;
        private final String probe;
        private final String message;
        private final int fragments;
        private volatile Session session;

        public Firehose(Upstream upstream, String probe, int bytes, int fragments) {
            this.upstream = upstream;
            this.probe = probe;
            this.message = "f".repeat(Math.max(1, bytes));
            this.fragments = fragments;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            upstream.opened(session);
            sendNext();
        }

        private void sendNext() {
            Session s = session;
            if (s == null || !s.isOpen()) {
                return;
            }
            Callback next = Callback.from(() -> {
                upstream.firehoseMessageWritten();
                sendNext();
            }, t -> { });
            sendText(s, message, fragments, next);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            upstream.recordClose(session, probe, statusCode, reason);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // See Echo#onWebSocketError: the close is reported to onWebSocketClose.
        }
    }

    /** Sends {@code text} as {@code k} frames, each after the previous one was written. */
    /** Sends {@code text} as {@code fragments} frames when more than one is asked for, else as one. */
    static void sendText(Session session, String text, int fragments, Callback done) {
        if (fragments > 1) {
            sendFragmented(session, text, fragments, done);
        } else {
            session.sendText(text, done);
        }
    }

    static void sendFragmented(Session session, String text, int k, Callback done) {
        int size = Math.max(1, (text.length() + k - 1) / k);
        sendFrom(session, text, 0, size, done);
    }

    private static void sendFrom(Session session, String text, int from, int size, Callback done) {
        int to = Math.min(text.length(), from + size);
        boolean last = to == text.length();
        session.sendPartialText(text.substring(from, to), last,
                last ? done : Callback.from(() -> sendFrom(session, text, to, size, done), done::fail));
    }
}
