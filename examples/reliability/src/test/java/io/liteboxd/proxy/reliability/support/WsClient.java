package io.liteboxd.proxy.reliability.support;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A conforming WebSocket client (Jetty's), for the legs that must behave: it answers pings, reassembles
 * fragments and closes properly. Its threads are named {@code test-client} so leak checks can exclude them.
 */
public final class WsClient implements AutoCloseable {

    public static final String THREAD_NAME = "test-client";

    private final WebSocketClient client;

    public WsClient(int maxThreads) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 4);
        threads.setName(THREAD_NAME);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(100_000);
        client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofMinutes(5));
        client.setMaxTextMessageSize(64L * 1024 * 1024);
        client.setMaxBinaryMessageSize(64L * 1024 * 1024);
        client.start();
    }

    public WebSocketClient jetty() {
        return client;
    }

    /** Connects with {@code token}; the returned future fails with the handshake's error. */
    public CompletableFuture<Socket> connect(URI uri, String token) {
        Socket socket = new Socket();
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("X-Access-Token", token);
        try {
            return client.connect(socket, request).thenApply(s -> socket);
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    public Socket open(URI uri, String token, Duration bound) throws Exception {
        return connect(uri, token).get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop", e);
        }
    }

    /** One connection: whole messages queue up in arrival order; the close it receives completes {@link #closed}. */
    public static class Socket implements Session.Listener.AutoDemanding {
        private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<JettyUpstream.CloseRecord> closed = new CompletableFuture<>();
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
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            messages.add(b);
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closed.complete(new JettyUpstream.CloseRecord(statusCode, reason));
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

        public CompletableFuture<JettyUpstream.CloseRecord> closed() {
            return closed;
        }

        public void send(String text) {
            session.sendText(text, Callback.NOOP);
        }

        /** The next text message within {@code bound}; fails the test otherwise. */
        public String nextText(Duration bound) throws InterruptedException {
            Object m = messages.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + bound
                        + (closed.isDone() ? "; closed: " + closed.getNow(null) : "")
                        + (error == null ? "" : "; error: " + error));
            }
            if (!(m instanceof String s)) {
                throw new AssertionError("expected text, got " + ((byte[]) m).length + " binary bytes");
            }
            return s;
        }

        /** Sends a normal close and waits for the gateway's reply close. */
        public JettyUpstream.CloseRecord closeNormally(Duration bound) throws Exception {
            session.close(1000, "bye", Callback.NOOP);
            return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
