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

    @Override
    public void onWebSocketError(Throwable cause) {
        error = cause;
    }

    public Session session() {
        return session;
    }

    /** Completes with the close status this side received (or the local status Jetty reports on abnormal end). */
    public CompletableFuture<Upstream.CloseRecord> closed() {
        return closed;
    }

    /** The next message, within {@link #WAIT}; fails if none arrives or it is not text. */
    public String nextText() throws InterruptedException {
        Object m = next();
        if (!(m instanceof String s)) {
            throw new AssertionError("expected a text message but got " + describe(m));
        }
        return s;
    }

    /** The next message, within {@link #WAIT}; fails if none arrives or it is not binary. */
    public byte[] nextBinary() throws InterruptedException {
        Object m = next();
        if (!(m instanceof byte[] b)) {
            throw new AssertionError("expected a binary message but got " + describe(m));
        }
        return b;
    }

    private Object next() throws InterruptedException {
        Object m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + WAIT + (error == null ? "" : "; last error: " + error)
                    + (closed.isDone() ? "; closed: " + closed.getNow(null) : ""));
        }
        return m;
    }

    private static String describe(Object m) {
        return m instanceof byte[] b ? "binary of " + b.length + " bytes" : "text \"" + m + "\"";
    }
}
