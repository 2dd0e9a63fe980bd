package io.liteboxd.proxy.testkit;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The test client's end of a WebSocket: whole messages (the Jetty client reassembles fragments) are queued in
 * arrival order, the close it receives completes {@link #closed()}. Public and named because Jetty invokes
 * listeners through method handles that cannot reach anonymous classes.
 */
public class WsClientSocket implements Session.Listener.AutoDemanding {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Upstream.CloseRecord> closed = new CompletableFuture<>();
    private volatile Session session;
    private volatile Throwable error;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String message) {
        messages.add(message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] copy = new byte[payload.remaining()];
        payload.get(copy);
        messages.add(copy);
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        closed.complete(new Upstream.CloseRecord(statusCode, reason));
        callback.succeed();
    }

    /**
     * Not the end by itself: a peer that sends its close frame and drops the connection at once makes Jetty
     * report the failed close reply here first, then the received status in {@link #onWebSocketClose}.
     */
    @Override
    public void onWebSocketError(Throwable cause) {
        error = cause;
    }

    public Session session() {
        return session;
    }

    /** The subprotocol the server accepted, or null for none. */
    public String subprotocol() {
        String accepted = session.getUpgradeResponse().getAcceptedSubProtocol();
        return accepted == null || accepted.isEmpty() ? null : accepted;
    }

    /** Completes with the close status this side received (or the local status Jetty reports on abnormal end). */
    public CompletableFuture<Upstream.CloseRecord> closed() {
        return closed;
    }

    /** The close status this side received, within {@code bound}; fails the test if the session does not close. */
    public int closeCode(Duration bound) throws Exception {
        return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS).code();
    }

    public void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    /** Sends a normal close and waits for the peer's reply close. */
    public Upstream.CloseRecord closeNormally(Duration bound) throws Exception {
        return close(1000, "bye", bound);
    }

    /** Sends a close with this status and reason and waits for the peer's reply close. */
    public Upstream.CloseRecord close(int code, String reason, Duration bound) throws Exception {
        session.close(code, reason, Callback.NOOP);
        return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The close this side received, within {@code bound}; fails the test if the session does not close. */
    public Upstream.CloseRecord awaitClose(Duration bound) throws Exception {
        return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message, within {@link #WAIT}; fails if none arrives or it is not text. */
    public String nextText() throws InterruptedException {
        return nextText(WAIT);
    }

    /** The next message, within {@code bound}; fails if none arrives or it is not text. */
    public String nextText(Duration bound) throws InterruptedException {
        Object m = next(bound);
        if (!(m instanceof String s)) {
            throw new AssertionError("expected a text message but got " + describe(m));
        }
        return s;
    }

    /** The next message, within {@link #WAIT}; fails if none arrives or it is not binary. */
    public byte[] nextBinary() throws InterruptedException {
        return nextBinary(WAIT);
    }

    /** The next message, within {@code bound}; fails if none arrives or it is not binary. */
    public byte[] nextBinary(Duration bound) throws InterruptedException {
        Object m = next(bound);
        if (!(m instanceof byte[] b)) {
            throw new AssertionError("expected a binary message but got " + describe(m));
        }
        return b;
    }

    private Object next(Duration bound) throws InterruptedException {
        Object m = messages.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + bound + (error == null ? "" : "; last error: " + error)
                    + (closed.isDone() ? "; closed: " + closed.getNow(null) : ""));
        }
        return m;
    }

    private static String describe(Object m) {
        return m instanceof byte[] b ? "binary of " + b.length + " bytes" : "text \"" + m + "\"";
    }
}
