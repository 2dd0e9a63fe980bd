package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.servlet.internal.UpstreamFailures;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import io.liteboxd.proxy.servlet.internal.ServletHeaders;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import jakarta.servlet.AsyncContext;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Duration;
import io.liteboxd.proxy.internal.limit.ConnectionLimits;
import io.liteboxd.proxy.observe.HandshakeEvent;
import io.liteboxd.proxy.observe.ProxyListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an admitted upgrade request into a {@link Relay}: upstream first, then the client.
 *
 * <p>Dialling the upstream before answering the client means every upstream failure is still a real HTTP status:
 * its own 4xx refusal, 502 when unreachable, 504 when it does not answer in time; never a 101 followed by a close.
 * Where the relay can upgrade from any thread (the tunnel, in Jetty and in Tomcat) the request goes asynchronous and
 * no thread waits for the upstream; elsewhere (the Jakarta bridge) the servlet thread waits for the upstream handshake,
 * bounded by the connect timeout, while the upstream client runs on its own executor, so this cannot deadlock on the
 * container's pool.
 */
public final class WebSocketHandshake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketHandshake.class);

    private final ProxyConfig config;
    private final RelaySettings settings;
    private final Relay.Factory relays;
    /** False when the servlet's context gives {@link #relays} no way to upgrade (no WebSocket support in it). */
    private final boolean supported;
    private final Set<Relay> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final HeaderPolicy headerPolicy;
    private final ProxyListener listener;
    private final ConnectionLimits limits;
    private volatile boolean draining;

    /**
     * @param context  the servlet context; decides which relay kind is used (see {@link RelaySelection})
     * @param listener told about every upgrade and every relayed session
     */
    public WebSocketHandshake(ProxyConfig config, HeaderPolicy headerPolicy, HttpClient httpClient,
                              ServletContext context, ProxyListener listener) throws Exception {
        this.config = config;
        this.listener = listener;
        this.headerPolicy = headerPolicy;
        this.limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerSandbox());
        this.settings = new RelaySettings(config.pingInterval(), config.idleTimeout(), config.requestTimeout(),
                config.maxMessageSize(), httpClient);
        Relay.Factory tunnel = RelaySelection.tunnel(config, settings, context);
        this.relays = tunnel != null ? tunnel : new WebSocketBridge.Factory(config, settings);
        this.supported = relays.supports(context);
    }

    public String relayKind() {
        return relays.describe();
    }

    public int openRelays() {
        return open.size();
    }

    /**
     * Validates the handshake fields the container will need. Done before authentication so a malformed
     * handshake is a 400, and never reaches the upstream.
     */
    public static void validate(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            throw new ProxyException(ProxyError.BAD_REQUEST, "a WebSocket upgrade must be a GET request");
        }
        if (!"HTTP/1.1".equals(request.getProtocol())) {
            throw new ProxyException(ProxyError.BAD_REQUEST, "a WebSocket upgrade needs HTTP/1.1");
        }
        String key = request.getHeader("Sec-WebSocket-Key");
        if (key == null || key.isBlank()) {
            throw new ProxyException(ProxyError.BAD_REQUEST, "missing Sec-WebSocket-Key header");
        }
        if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
            throw new ProxyException(ProxyError.BAD_REQUEST, "unsupported Sec-WebSocket-Version (expected 13)");
        }
    }

    /**
     * Connects the upstream, then upgrades the client and relays between the two.
     *
     * <p>Relays that can upgrade the client from any thread ({@link Relay.Factory#upgradesFromAnyThread()}) do it
     * asynchronously: the request goes async, the container thread is returned at once, and the upgrade (or the
     * refusal, through {@code refuse}) happens when the upstream answers. Others hold the request thread until then.
     *
     * @param headerContext the header policy's view of the handshake
     * @param refuse        writes a refusal that happens after this method returned (asynchronous upgrades only)
     * @throws ProxyException for every refusal known before this method returns, before anything was sent
     */
    public void upgrade(HttpServletRequest request, HttpServletResponse response, Admission admission,
                        HeaderContext headerContext, Consumer<ProxyException> refuse) {
        if (draining) {
            throw new ProxyException(ProxyError.UNAVAILABLE, "gateway is shutting down");
        }
        if (!supported) {
            throw new ProxyException(ProxyError.INTERNAL, "WebSocket is not enabled in this servlet container");
        }
        String sandboxId = admission.route().sandboxId();
        int port = admission.route().port();
        ConnectionLimits.Permit permit = limits.tryAcquire(sandboxId);
        if (permit == null) {
            throw new ProxyException(ProxyError.UNAVAILABLE, "too many WebSocket connections, try again later");
        }
        String requestId = headerContext.requestId();
        AtomicBoolean upgraded = new AtomicBoolean();
        Relay relay = relays.newRelay(sandboxId + ":" + port + "#" + ids.incrementAndGet(), finished -> {
            open.remove(finished);
            permit.close();
            if (upgraded.get()) {
                listener.webSocketSession(finished.stats().event(requestId, sandboxId, port));
            }
        });
        long started = System.nanoTime();
        CompletableFuture<HeaderBlock> connecting;
        try {
            // The relay closes a leg that still opens after the timeout.
            connecting = dial(relay, upstreamRequest(request, admission, headerContext))
                    .orTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        if (relays.upgradesFromAnyThread() && request.isAsyncSupported()) {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            connecting.whenComplete((answer, failure) -> {
                try {
                    if (failure != null) {
                        permit.close();
                        refuse.accept(upstreamFailure(unwrap(failure)));
                    } else {
                        upgradeClient(request, response, admission, headerContext, relay, answer, started, upgraded);
                    }
                } catch (ProxyException e) {
                    refuse.accept(e);
                } catch (RuntimeException e) {
                    LOG.error("Unexpected failure upgrading {}", relay, e);
                    refuse.accept(new ProxyException(ProxyError.INTERNAL, "internal gateway error"));
                } finally {
                    async.complete();
                }
            });
            return;
        }
        HeaderBlock upstream;
        try {
            upstream = connecting.get();
        } catch (InterruptedException e) {
            permit.close();
            connecting.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProxyException(ProxyError.UNAVAILABLE, "gateway is shutting down");
        } catch (ExecutionException e) {
            permit.close();
            throw upstreamFailure(unwrap(e));
        }
        upgradeClient(request, response, admission, headerContext, relay, upstream, started, upgraded);
    }

    private void upgradeClient(HttpServletRequest request, HttpServletResponse response, Admission admission,
                               HeaderContext headerContext, Relay relay, HeaderBlock upstream, long started,
                               AtomicBoolean upgraded) {
        Duration connectTime = Duration.ofNanos(System.nanoTime() - started);
        open.add(relay);
        if (draining) {
            relay.abort(CloseCodes.GOING_AWAY, "gateway shutting down");
            throw new ProxyException(ProxyError.UNAVAILABLE, "gateway is shutting down");
        }
        try {
            // The policy drops the handshake's own fields: the upstream's choice of subprotocol is read before.
            String subprotocol = upstream.get("Sec-WebSocket-Protocol");
            headerPolicy.response(upstream, headerContext);
            relay.upgradeClient(request, response, subprotocol, upstream);
        } catch (IOException | RuntimeException e) {
            relay.abort(CloseCodes.INTERNAL_ERROR, "client upgrade failed");
            LOG.warn("Client upgrade failed for {}", relay, e);
            throw new ProxyException(ProxyError.INTERNAL, "WebSocket upgrade failed");
        }
        upgraded.set(true);
        SandboxRoute route = admission.route();
        listener.webSocketHandshake(new HandshakeEvent(headerContext.requestId(), route.sandboxId(), route.port(), 101,
                null, connectTime));
        // Some containers open the session only after service() returns; if it never opens (the client vanished
        // mid-upgrade, or the container refused it), the upstream leg must not linger.
        settings.httpClient().getScheduler().schedule(() -> {
            if (!relay.isClientOpen()) {
                relay.abort(CloseCodes.GOING_AWAY, "client did not complete the upgrade");
            }
        }, config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return new TimeoutException("upstream did not answer the WebSocket handshake in time");
        }
        return t;
    }

    /**
     * Starts refusing upgrades (503), sends 1001 Going Away on every open relay and waits for them to close, at
     * most {@code deadline}.
     *
     * @return true if every relay closed in time
     */
    public boolean drain(Duration deadline) {
        draining = true;
        for (Relay relay : List.copyOf(open)) {
            relay.abort(CloseCodes.GOING_AWAY, "gateway shutting down");
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (!open.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return open.isEmpty();
    }

    private UpstreamRequest upstreamRequest(HttpServletRequest request, Admission admission, HeaderContext context) {
        HeaderBlock headers = ServletHeaders.block(request);
        headerPolicy.request(headers, context);
        // Every Sec-WebSocket-Protocol line, each of them a list, in the client's order.
        List<String> offered = Collections.list(request.getHeaders("Sec-WebSocket-Protocol")).stream()
                .flatMap(line -> Arrays.stream(line.split(","))).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return new UpstreamRequest(admission.target().uri(), headers.toMap(), offered,
                request.getHeader("Sec-WebSocket-Key"));
    }

    /**
     * The upstream handshake, sent once more on a new connection when the first went out on a kept-alive connection
     * that the upstream closed at that moment (apps close idle connections when they please): the app never saw
     * it, and a handshake is an idempotent GET. Cancelling or timing out the returned future stops whichever attempt
     * is under way.
     */
    static CompletableFuture<HeaderBlock> dial(Relay relay, UpstreamRequest request) {
        AtomicReference<CompletableFuture<HeaderBlock>> attempt =
                new AtomicReference<>(relay.connectUpstream(request));
        // Never called once the result is done (timed out or cancelled), so nothing is retried after that.
        CompletableFuture<HeaderBlock> result = attempt.get().exceptionallyCompose(failure -> {
            if (!closedBeforeAnAnswer(failure)) {
                return CompletableFuture.failedFuture(failure);
            }
            attempt.set(relay.connectUpstream(request));
            return attempt.get();
        });
        result.whenComplete((answer, failure) -> {
            if (failure != null) {
                attempt.get().cancel(true);
            }
        });
        return result;
    }

    /** The connection ended before any answer arrived: no status, only an end of stream or a closed channel. */
    static boolean closedBeforeAnAnswer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UpgradeException u && u.getResponseStatusCode() > 0) {
                return false;
            }
            if (t instanceof java.io.EOFException || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    private static ProxyException upstreamFailure(Throwable cause) {
        // Jetty reports an answer it cannot parse as a synthetic 400; that is the upstream's fault, not a refusal.
        boolean unparseable = cause instanceof java.net.ProtocolException;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            unparseable |= t instanceof org.eclipse.jetty.http.HttpException
                    || t instanceof org.eclipse.jetty.client.HttpResponseException
                    && String.valueOf(t.getMessage()).contains("protocol violation");
        }
        if (unparseable) {
            return new ProxyException(ProxyError.UPSTREAM_UNREACHABLE, "upstream sent an invalid handshake answer",
                    cause);
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof UpgradeException upgrade) {
                int status = upgrade.getResponseStatusCode();
                if (status >= 400 && status < 500) {
                    return new ProxyException(ProxyError.UPSTREAM_REFUSED, status,
                            "upstream refused the WebSocket handshake with " + status, cause);
                }
                if (status > 0) {
                    return new ProxyException(ProxyError.UPSTREAM_UNREACHABLE,
                            "upstream answered the WebSocket handshake with " + status, cause);
                }
            }
        }
        return UpstreamFailures.classify(cause);
    }

    /** Drains (see {@link #drain}) with the configured deadline and closes the relay factory. */
    @Override
    public void close() throws Exception {
        if (!drain(config.drainTimeout())) {
            LOG.warn("{} WebSocket(s) still open after the drain deadline of {}; stopping anyway", open.size(),
                    config.drainTimeout());
        }
        relays.close();
    }
}
