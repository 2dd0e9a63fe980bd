package io.liteboxd.proxy.servlet.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.io.ssl.SslClientConnectionFactory;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Kept-alive HTTP/1.1 connections to upstreams, per scheme, host and port, for the {@link HttpRelay}.
 *
 * <p>Connections are opened through the shared {@link ClientConnector} (its selectors, connect timeout, socket
 * options and, for {@code https} upstreams, its TLS context with endpoint identification) and parked here between
 * exchanges, newest first so that the warmest are reused and the rest age out.
 * A parked connection keeps reading, so an upstream that closes it (keep-alive timeout) is noticed and it is dropped
 * at once; one that idles for the idle timeout is closed by us.
 */
final class UpstreamConnections implements AutoCloseable {

    /**
     * Where a connection goes: one pool per scheme, host and port. Looked up on every request, so equality is
     * written out: a record's generated {@code equals}/{@code hashCode} go through method handles that showed up in
     * the request path's profile.
     */
    record Origin(boolean tls, String host, int port) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Origin other && port == other.port && tls == other.tls
                    && Objects.equals(host, other.host);
        }

        @Override
        public int hashCode() {
            return (Objects.hashCode(host) * 31 + port) * 2 + (tls ? 1 : 0);
        }
    }

    private final ClientConnector connector;
    private final SocketAddressResolver resolver;
    private final ByteBufferPool buffers;
    private final long idleTimeoutMillis;
    private final int maxResponseHeaderBytes;
    private final Map<Origin, ConcurrentLinkedDeque<UpstreamConnection>> parked = new ConcurrentHashMap<>();
    private volatile boolean closed;

    UpstreamConnections(ClientConnector connector, SocketAddressResolver resolver, ByteBufferPool buffers,
                        Duration idleTimeout, int maxResponseHeaderBytes) {
        this.connector = connector;
        this.resolver = resolver;
        this.buffers = buffers;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.maxResponseHeaderBytes = maxResponseHeaderBytes;
    }

    /**
     * A parked connection to {@code origin} claimed for one exchange, or {@code null} if none is parked (the caller
     * then {@link #connect}s).
     */
    UpstreamConnection claimParked(Origin origin) {
        ConcurrentLinkedDeque<UpstreamConnection> deque = parked.get(origin);
        if (deque == null) {
            return null;
        }
        UpstreamConnection c;
        while ((c = deque.pollFirst()) != null) {
            // A parked connection may have been closed by its upstream since it was parked: skip it.
            if (c.claim()) {
                return c;
            }
        }
        return null;
    }

    /** Opens a new connection to {@code origin}; {@code promise} gets it already claimed, or the connect failure. */
    void connect(Origin origin, Promise<UpstreamConnection> promise) {
        if (closed) {
            promise.failed(new IOException("gateway stopping"));
            return;
        }
        resolver.resolve(origin.host(), origin.port(), Map.of(), Promise.from(
                (List<InetSocketAddress> addresses) -> connect(origin, addresses, 0, promise), promise::failed));
    }

    /** Tries the addresses a name resolved to in order, as a browser would, until one connects. */
    private void connect(Origin origin, List<InetSocketAddress> addresses, int index,
                         Promise<UpstreamConnection> promise) {
        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        ClientConnectionFactory plain = (endPoint, ctx) -> {
            endPoint.setIdleTimeout(idleTimeoutMillis);
            return new UpstreamConnection(endPoint, connector.getExecutor(), this, origin, buffers,
                    maxResponseHeaderBytes);
        };
        // TLS: the SSL engine is made for the address's host string (SNI, and the name endpoint identification checks).
        context.put(ClientConnectionFactory.CONTEXT_KEY, origin.tls()
                ? new SslClientConnectionFactory(connector.getSslContextFactory(), buffers, connector.getExecutor(), plain)
                : plain);
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, Promise.<Connection>from(
                connection -> promise.succeeded((UpstreamConnection) (connection instanceof SslConnection ssl
                        ? ssl.getSslEndPoint().getConnection() : connection)),
                failure -> {
                    if (index + 1 < addresses.size() && !closed) {
                        connect(origin, addresses, index + 1, promise);
                    } else {
                        promise.failed(failure);
                    }
                }));
        connector.connect(addresses.get(index), context);
    }

    /**
     * The upstream client's address resolver. Pod IPs, the usual upstream, need no lookup: their address is made on
     * the calling thread. Jetty's resolver hands every lookup to the pool with a timer, literals included, which is a
     * thread hand-off for every WebSocket dial. A host name (the API server, a Service) still goes to Jetty's, since a
     * lookup blocks whichever thread makes it and the caller may be a selector.
     */
    static final class LiteralsFirst implements SocketAddressResolver {
        private final HttpClient client;
        private volatile SocketAddressResolver names;

        LiteralsFirst(HttpClient client) {
            this.client = client;
        }

        @Override
        public void resolve(String host, int port, Map<String, Object> context,
                            Promise<List<InetSocketAddress>> promise) {
            if (isAddressLiteral(host)) {
                promise.succeeded(List.of(new InetSocketAddress(host, port)));
                return;
            }
            SocketAddressResolver lookup = names;
            if (lookup == null) {
                // The client's executor and scheduler exist once it has started, before any request.
                lookup = new SocketAddressResolver.Async(client.getExecutor(), client.getScheduler(),
                        client.getAddressResolutionTimeout());
                names = lookup;
            }
            lookup.resolve(host, port, context, promise);
        }
    }

    static boolean isAddressLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.charAt(0) == '[') {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    void park(UpstreamConnection connection) {
        if (closed) {
            connection.close();
            return;
        }
        parked.computeIfAbsent(connection.origin(), o -> new ConcurrentLinkedDeque<>()).offerFirst(connection);
        if (closed) {
            // close() may have swept the pools just before this connection was parked.
            connection.close();
        }
    }

    /** Called by a connection when its socket closed, parked or not. */
    void closed(UpstreamConnection connection) {
        ConcurrentLinkedDeque<UpstreamConnection> deque = parked.get(connection.origin());
        if (deque != null) {
            deque.remove(connection);
            // Pods come and go: an origin without parked connections is forgotten. A connection parked there in
            // the meantime is not lost track of for long: it closes after the idle timeout like any other.
            parked.computeIfPresent(connection.origin(), (o, d) -> d.isEmpty() ? null : d);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ConcurrentLinkedDeque<UpstreamConnection> deque : parked.values()) {
            UpstreamConnection c;
            while ((c = deque.pollFirst()) != null) {
                c.close();
            }
        }
    }
}
