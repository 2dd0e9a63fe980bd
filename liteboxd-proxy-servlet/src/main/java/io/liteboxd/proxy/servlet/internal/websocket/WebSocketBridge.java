package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed WebSocket connection: the client's Jakarta session bridged to the upstream's Jetty client session.
 *
 * <p><b>Upstream to client.</b> The upstream listener does not auto-demand: each frame is read only after the
 * previous one was handed to the client, so a slow client slows the upstream's reading (TCP backpressure) instead of
 * growing the heap. Whole single-frame messages go out with the Jakarta async API; fragments of a larger message
 * need the blocking partial API, which runs on {@code blockingSends} so that no thread of the shared upstream client
 * is ever parked on a slow client. Until the client session is open nothing is demanded, so a greeting the upstream
 * sends at once waits in the socket and reaches the client first.
 *
 * <p><b>Client to upstream.</b> Jakarta offers no demand control, so the handler returns only when the upstream has
 * taken the fragment (bounded by the request timeout): a slow upstream holds back the container's reading of this
 * one connection.
 *
 * <p>Keepalive, idle closing, close mirroring and the close grace are the {@link RelayLifecycle}'s; this class
 * supplies how each leg is pinged and closed.
 *
 * <p>The bridge is itself the client's Jakarta endpoint (one instance per connection, handed out by its
 * configurator) and the upstream's Jetty listener: public because containers instantiate and introspect endpoint
 * classes reflectively, and Jetty invokes listener methods through method handles, which fail on non-public classes.
 */
public final class WebSocketBridge extends Endpoint implements Relay, Session.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketBridge.class);
    private static final String ENDPOINT_PATH = "/liteboxd-bridge";

    /**
     * Creates Jakarta bridges, the portable default for every servlet container with Jakarta WebSocket 2.1, and owns
     * what only they need: the upstream WebSocket client and the executors of sends that may block.
     */
    static final class Factory implements Relay.Factory {
        private final RelaySettings settings;
        private final WebSocketClient client;
        /** Where sends that may block run, never a thread of the shared upstream client. */
        private final ExecutorService blockingSends;
        /**
         * Where closes and keepalive pings of Jakarta sessions run (they may block briefly on a dead peer), apart from
         * {@link #blockingSends} so that stalled data sends cannot hold them up.
         */
        private final ExecutorService closes;

        Factory(ProxyConfig config, RelaySettings settings) throws Exception {
            this.settings = settings;
            client = new WebSocketClient(settings.httpClient());
            client.setConnectTimeout(config.connectTimeout().toMillis());
            // No client.setIdleTimeout(): it would set the idle timeout of the HttpClient this shares with the HTTP
            // relay (whose idle timeout is requestTimeout). Each bridge sets idleTimeout on its upstream session.
            // The bridges enforce maxMessageSize themselves with a clear 1009; Jetty's own limit only backs that up
            // (a message exactly at Jetty's limit is refused, hence the margin).
            long jettyLimit = Math.min(Integer.MAX_VALUE, config.maxMessageSize() + 65536);
            client.setMaxTextMessageSize(jettyLimit);
            client.setMaxBinaryMessageSize(jettyLimit);
            client.start();
            // Each send blocked on a stalled reader is bounded by requestTimeout; the pool is sized so that many
            // stalled readers do not starve the others' fragment sends meanwhile.
            int threads = config.clientThreads() == 0 ? ProxyConfig.DEFAULT_CLIENT_THREADS : config.clientThreads();
            blockingSends = executor("liteboxd-ws-send-", Math.max(256, 4 * threads));
            closes = executor("liteboxd-ws-close-", Math.max(64, threads));
        }

        private static ExecutorService executor(String name, int threads) {
            AtomicInteger n = new AtomicInteger();
            // Short keep-alive: threads exist while sends are blocked, and leave seconds after a burst.
            ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, name + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            executor.allowCoreThreadTimeOut(true);
            return executor;
        }

        @Override
        public Relay newRelay(String name, Consumer<Relay> onFinished) {
            return new WebSocketBridge(this, name, onFinished);
        }

        @Override
        public String describe() {
            return "jakarta-bridge (portable)";
        }

        @Override
        public boolean supports(jakarta.servlet.ServletContext context) {
            return context.getAttribute(ServerContainer.class.getName()) != null;
        }

        @Override
        public void close() throws Exception {
            blockingSends.shutdown();
            closes.shutdown();
            client.stop();
        }
    }

    private final Factory factory;
    private final RelaySettings settings;
    private final String name;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final Object clientLock = new Object();
    private final ClientLeg clientLeg = new ClientLeg();
    private final UpstreamLeg upstreamLeg = new UpstreamLeg();
    private final RelayLifecycle lifecycle;

    private volatile Session upstream;
    private volatile jakarta.websocket.Session client;
    private volatile CloseReason pendingClientClose;
    private volatile boolean sendingToClient;

    // Touched only by the serial chain of upstream deliveries (one frame demanded at a time).
    private boolean inboundFragmented;
    /** Bytes so far of the message in flight from the upstream: messages are streamed, so only this knows its size. */
    private long inboundSize;
    /** The same towards the upstream, touched only by the container's serial delivery of the client's fragments. */
    private long outboundSize;

    private WebSocketBridge(Factory factory, String name, Consumer<Relay> onFinished) {
        this.factory = factory;
        this.settings = factory.settings;
        this.name = name;
        this.lifecycle = new RelayLifecycle(settings, this, clientLeg, upstreamLeg, () -> onFinished.accept(this));
    }

    @Override
    public boolean isClientOpen() {
        return client != null;
    }

    @Override
    public RelayStats stats() {
        return lifecycle.stats();
    }

    @Override
    public CompletableFuture<HeaderBlock> connectUpstream(UpstreamRequest request) {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(request.uri());
        upgrade.setSubProtocols(request.subprotocols());
        request.headers().forEach(upgrade::setHeader);
        CompletableFuture<Session> connecting;
        try {
            connecting = factory.client.connect(this, upgrade);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HeaderBlock> answer =
                connecting.thenApply(session -> HeaderBlock.of(session.getUpgradeResponse().getHeaders()));
        answer.whenComplete((ok, failure) -> {
            if (answer.isCancelled()) {
                // Timed out before the upstream answered: stop dialling, and a session that opens anyway must go.
                connecting.cancel(true);
                connecting.thenRun(() -> abort(CloseCodes.GOING_AWAY, "handshake timed out"));
            }
        });
        return answer;
    }

    /** The standard {@code upgradeHttpToWebSocket}; {@code supports} has checked that the container has one. */
    @Override
    public void upgradeClient(HttpServletRequest request, HttpServletResponse response, String subprotocol,
                              HeaderBlock responseHeaders) throws IOException {
        ServerContainer container = (ServerContainer) request.getServletContext()
                .getAttribute(ServerContainer.class.getName());
        String chosen = subprotocol == null ? "" : subprotocol;
        ServerEndpointConfig endpointConfig = ServerEndpointConfig.Builder
                .create(WebSocketBridge.class, ENDPOINT_PATH)
                .subprotocols(chosen.isEmpty() ? List.of() : List.of(chosen))
                .configurator(new ServerEndpointConfig.Configurator() {
                    /** A one-shot ticket: any handshake but the one the servlet authenticated is refused (403). */
                    @Override
                    public boolean checkOrigin(String originHeaderValue) {
                        return claimed.compareAndSet(false, true);
                    }

                    /**
                     * The upstream chose from the list the servlet parsed out of every {@code Sec-WebSocket-Protocol}
                     * line, so its choice is always one the client offered. {@code requested} is not consulted:
                     * Undertow fills it from the first header line only, and would lose a protocol offered later.
                     */
                    @Override
                    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
                        return chosen;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return (T) WebSocketBridge.this;
                    }
                })
                .build();
        // On the servlet response, one field per line: a header map handed to the configurator is folded into one
        // comma-joined line by Jetty, and a browser keeps only the first of several cookies folded that way.
        responseHeaders.forEach(response::addHeader);
        try {
            container.upgradeHttpToWebSocket(request, response, endpointConfig, Map.of());
        } catch (DeploymentException | IOException | RuntimeException e) {
            if (!response.isCommitted()) {
                // The upstream's cookies must not ride on the refusal that follows.
                response.reset();
            }
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    @Override
    public String toString() {
        return "WebSocketBridge[" + name + "]";
    }

    // ---- upstream events (Session.Listener, on the Jetty client's threads) ----------------------------------

    @Override
    public void onWebSocketOpen(Session session) {
        session.setIdleTimeout(settings.upstreamIdleTimeout());
        this.upstream = session;
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean last) {
        toClient(payload, Utf8Validator.length(payload), last, null);
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        toClient(payload, payload.remaining(), last, callback);
    }

    /** Relays one fragment, a {@code String} or a {@code ByteBuffer}; {@code callback} is Jetty's, for binary. */
    private void toClient(Object payload, long size, boolean last, Callback callback) {
        lifecycle.seen(RelayStats.Side.UPSTREAM);
        long message = inboundSize + size;
        if (message > settings.maxMessageSize()) {
            lifecycle.abort(CloseCodes.MESSAGE_TOO_BIG, tooBig());
            if (callback != null) {
                callback.succeed();
            }
            return;
        }
        inboundSize = last ? 0 : message;
        lifecycle.stats().add(RelayStats.Side.UPSTREAM, last ? 1 : 0, size);
        jakarta.websocket.Session c = client;
        sendingToClient = true;
        if (!inboundFragmented && last) {
            SendHandler sent = result -> clientSendDone(result.isOK() ? null : result.getException(), callback);
            if (payload instanceof String text) {
                c.getAsyncRemote().sendText(text, sent);
            } else {
                c.getAsyncRemote().sendBinary((ByteBuffer) payload, sent);
            }
            return;
        }
        inboundFragmented = !last;
        factory.blockingSends.execute(() -> {
            try {
                if (payload instanceof String text) {
                    c.getBasicRemote().sendText(text, last);
                } else {
                    c.getBasicRemote().sendBinary((ByteBuffer) payload, last);
                }
                clientSendDone(null, callback);
            } catch (IOException | RuntimeException e) {
                clientSendDone(e, callback);
            }
        });
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        lifecycle.seen(RelayStats.Side.UPSTREAM);
        controlToClient(client, Keepalive.copy(payload), true, true);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        lifecycle.seen(RelayStats.Side.UPSTREAM);
        if (Keepalive.isOwnPong(payload)) {
            upstream.demand();
            return;
        }
        controlToClient(client, Keepalive.copy(payload), false, true);
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
        lifecycle.mirrorClose(RelayStats.Side.UPSTREAM, code, reason);
        lifecycle.ended(RelayStats.Side.UPSTREAM);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("{} upstream failed", this, cause);
        int code = cause instanceof org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException
                ? CloseCodes.MESSAGE_TOO_BIG : CloseCodes.INTERNAL_ERROR;
        clientLeg.close(code, "upstream error");
    }

    // ---- client events (Jakarta Endpoint, on the container's threads) ----------------------------------------

    @Override
    public void onOpen(jakarta.websocket.Session session, EndpointConfig config) {
        synchronized (clientLock) {
            this.client = session;
            session.setMaxIdleTimeout(settings.idleTimeout().toMillis());
            // Tomcat bounds each blocking send by this user property (default 20 s): a stalled reader then frees
            // its send thread after writeTimeout instead of holding it. Other containers ignore it.
            session.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT",
                    settings.writeTimeout().toMillis());
            session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) ->
                    toUpstream(Utf8Validator.length(part), last, sent -> upstream.sendPartialText(part, last, sent)));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) ->
                    toUpstream(part.remaining(), last, sent -> upstream.sendPartialBinary(part, last, sent)));
            session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) this::clientPong);
            if (pendingClientClose != null) {
                // The upstream ended while the client was still upgrading: tell the client now.
                closeQuietly(session, pendingClientClose);
                return;
            }
        }
        lifecycle.start();
        upstream.demand();
    }

    @Override
    public void onClose(jakarta.websocket.Session session, CloseReason reason) {
        lifecycle.mirrorClose(RelayStats.Side.CLIENT, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        lifecycle.ended(RelayStats.Side.CLIENT);
    }

    /**
     * Containers follow an error with {@code onClose}, which mirrors the real close code to the upstream. Closing the
     * upstream here already would race that and could replace the client's own code (say 4001) with 1001 when a
     * write fails while the client's close frame is in flight. If no {@code onClose} arrives within the close grace,
     * the lifecycle ends the client leg and the upstream is closed then ({@link ClientLeg#terminate}).
     */
    @Override
    public void onError(jakarta.websocket.Session session, Throwable cause) {
        LOG.debug("{} client failed", this, cause);
        clientLeg.close(CloseCodes.INTERNAL_ERROR, "gateway error");
        lifecycle.beginClosing();
    }

    /** Relays one fragment from the client, returning once the upstream has taken it (see the class comment). */
    private void toUpstream(long size, boolean last, Consumer<Callback> send) {
        lifecycle.seen(RelayStats.Side.CLIENT);
        long message = outboundSize + size;
        if (message > settings.maxMessageSize()) {
            lifecycle.abort(CloseCodes.MESSAGE_TOO_BIG, tooBig());
            return;
        }
        outboundSize = last ? 0 : message;
        lifecycle.stats().add(RelayStats.Side.CLIENT, last ? 1 : 0, size);
        Callback.Completable sent = new Callback.Completable();
        send.accept(sent);
        try {
            sent.get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            lifecycle.seen(RelayStats.Side.UPSTREAM);
        } catch (TimeoutException e) {
            upstreamLeg.close(CloseCodes.GOING_AWAY, "write timed out");
            lifecycle.abort(CloseCodes.INTERNAL_ERROR, "upstream write timed out", true, false);
        } catch (ExecutionException e) {
            LOG.debug("{} sending to upstream failed", this, e.getCause());
            clientLeg.close(CloseCodes.INTERNAL_ERROR, "upstream unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(CloseCodes.GOING_AWAY, "gateway shutting down");
        }
    }

    private String tooBig() {
        return "message larger than " + settings.maxMessageSize() + " bytes";
    }

    private void clientPong(PongMessage pong) {
        lifecycle.seen(RelayStats.Side.CLIENT);
        ByteBuffer data = pong.getApplicationData();
        if (!Keepalive.isOwnPong(data)) {
            upstream.sendPong(Keepalive.copy(data), Callback.NOOP);
        }
    }

    /** Ends both legs, e.g. when the client never completed its upgrade or the servlet is destroyed. */
    @Override
    public void abort(int code, String reason) {
        lifecycle.abort(code, reason);
        if (client == null) {
            // No client session will ever report its close.
            lifecycle.ended(RelayStats.Side.CLIENT);
        }
    }

    private final class ClientLeg implements RelayLifecycle.Leg {

        @Override
        public void ping() {
            jakarta.websocket.Session c = client;
            // A send in flight already tests the client connection; a ping behind it would only queue up.
            if (c != null && c.isOpen() && !sendingToClient) {
                controlToClient(c, Keepalive.payload(), true, false);
            }
        }

        @Override
        public void close(int code, String reason) {
            CloseReason closeReason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code),
                    CloseCodes.reason(reason));
            jakarta.websocket.Session c;
            synchronized (clientLock) {
                c = client;
                if (c == null) {
                    if (pendingClientClose == null) {
                        pendingClientClose = closeReason;
                    }
                    return;
                }
            }
            if (c.isOpen()) {
                // Jakarta's close may block while it writes the close frame: never on a shared client/selector thread.
                factory.closes.execute(() -> closeQuietly(c, closeReason));
            }
        }

        /**
         * Jakarta has no way to drop a connection (the container's idle timer ends it); what is left to do is tell
         * the upstream, which a client that never reported its close did not.
         */
        @Override
        public void terminate() {
            upstreamLeg.close(CloseCodes.GOING_AWAY, "client error");
        }
    }

    private final class UpstreamLeg implements RelayLifecycle.Leg {

        @Override
        public void ping() {
            Session u = upstream;
            if (u != null && u.isOpen()) {
                u.sendPing(Keepalive.payload(), Callback.NOOP);
            }
        }

        @Override
        public void close(int code, String reason) {
            Session u = upstream;
            if (u != null && u.isOpen()) {
                u.close(code, CloseCodes.reason(reason), Callback.NOOP);
            } else {
                lifecycle.ended(RelayStats.Side.UPSTREAM);
            }
        }

        /** A close that Jetty bounds itself: its idle timer ends a close handshake the upstream never answers. */
        @Override
        public void terminate() {
            close(CloseCodes.GOING_AWAY, "client error");
        }
    }

    private void closeQuietly(jakarta.websocket.Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} closing client failed", this, e);
        }
    }

    private void clientSendDone(Throwable failure, Callback callback) {
        sendingToClient = false;
        if (failure == null) {
            // The client takes our writes: alive, even if it never sends (a client tailing a log).
            lifecycle.seen(RelayStats.Side.CLIENT);
            if (callback != null) {
                callback.succeed();
            }
            upstream.demand();
        } else {
            if (callback != null) {
                callback.fail(failure);
            }
            LOG.debug("{} sending to client failed", this, failure);
            upstreamLeg.close(CloseCodes.GOING_AWAY, "client unreachable");
            clientLeg.close(CloseCodes.INTERNAL_ERROR, "send failed");
        }
    }

    /**
     * Sends a ping or pong to the client on {@code closes}: not behind stalled data sends, since control frames are
     * small and must not wait for a slow reader's queue. A relayed one demands the next upstream frame once sent.
     */
    private void controlToClient(jakarta.websocket.Session c, ByteBuffer data, boolean ping, boolean relayed) {
        factory.closes.execute(() -> {
            try {
                if (ping) {
                    c.getAsyncRemote().sendPing(data);
                } else {
                    c.getAsyncRemote().sendPong(data);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} sending a control frame to the client failed", this, e);
            }
            if (relayed) {
                upstream.demand();
            }
        });
    }
}
