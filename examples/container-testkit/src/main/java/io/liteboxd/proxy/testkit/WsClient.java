package io.liteboxd.proxy.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A conforming WebSocket client (Jetty's) with its own bounded pool, for the legs that must behave: it answers pings,
 * reassembles fragments and closes properly; each connection is a {@link WsClientSocket}. Its threads are named
 * {@code test-client} so leak checks can exclude them. {@link RawWebSocket} is the client that misbehaves.
 * {@code wss://} URIs are dialled with the trust given to {@link #WsClient(int, SSLContext)}, host name checked.
 */
public final class WsClient implements AutoCloseable {

    public static final String THREAD_NAME = "test-client";

    private final WebSocketClient client;

    public WsClient(int maxThreads) throws Exception {
        this(maxThreads, null);
    }

    /** @param trust what {@code wss://} servers are checked against, or null for the JVM's default trust */
    public WsClient(int maxThreads, SSLContext trust) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 4);
        threads.setName(THREAD_NAME);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(100_000);
        if (trust != null) {
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setSslContext(trust);
            http.setSslContextFactory(tls);
        }
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
    public CompletableFuture<WsClientSocket> connect(URI uri, String token) {
        return connect(uri, Map.of("X-Access-Token", token));
    }

    /**
     * Connects with these request headers, offering {@code subprotocols} in order (none: no
     * {@code Sec-WebSocket-Protocol}); the returned future fails with the handshake's error, an
     * {@code UpgradeException} with the status when the server answered anything but 101.
     */
    public CompletableFuture<WsClientSocket> connect(URI uri, Map<String, String> headers, String... subprotocols) {
        WsClientSocket socket = new WsClientSocket();
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        headers.forEach(request::setHeader);
        if (subprotocols.length > 0) {
            request.setSubProtocols(List.of(subprotocols));
        }
        try {
            return client.connect(socket, request).thenApply(s -> socket);
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    public WsClientSocket open(URI uri, String token, Duration bound) throws Exception {
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
}
