package io.liteboxd.gateway;

import io.liteboxd.proxy.internal.limit.ConnectionLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SelectorManager;

/**
 * Caps the client connections the gateway holds open, in total and per client IP address. Counted per accepted
 * socket, so a connection that became a WebSocket keeps counting until its socket closes. Over a cap the new
 * connection is closed at once, before anything is read from it: no response, as a full server would. Jetty's
 * {@code NetworkConnectionLimit} is not used for the total because it stops accepting instead, which leaves new
 * clients waiting unanswered in the listen queue.
 */
final class ConnectionCaps implements SelectorManager.AcceptListener, Connection.Listener {

    private final ConnectionLimits limits;
    private final Map<SelectableChannel, ConnectionLimits.Permit> permits = new ConcurrentHashMap<>();
    private final Set<SelectableChannel> refusedChannels = ConcurrentHashMap.newKeySet();
    private final LongAdder refused = new LongAdder();

    /**
     * @param maxTotal most connections in all, 0 for no cap
     * @param maxPerIp most connections from one client address, 0 for no cap
     */
    ConnectionCaps(int maxTotal, int maxPerIp) {
        this.limits = new ConnectionLimits(maxTotal, maxPerIp);
    }

    @Override
    public void onAccepted(SelectableChannel channel) {
        ConnectionLimits.Permit permit = limits.tryAcquire(clientAddress(channel));
        if (permit == null) {
            refused.increment();
            refusedChannels.add(channel);
        } else {
            permits.put(channel, permit);
        }
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        ConnectionLimits.Permit permit = permits.remove(channel);
        if (permit != null) {
            permit.close();
        }
        refusedChannels.remove(channel);
    }

    @Override
    public void onOpened(Connection connection) {
        // The endpoint exists only now; closing it here lets Jetty release everything it set up for it.
        if (refusedChannels.contains(connection.getEndPoint().getTransport())) {
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
    }

    /** Connections open now (those over a cap are not counted). */
    int open() {
        return limits.inUse();
    }

    /** Connections closed at once because a cap was reached, since start. */
    long refused() {
        return refused.sum();
    }

    private static String clientAddress(SelectableChannel channel) {
        try {
            SocketAddress remote = channel instanceof SocketChannel socket ? socket.getRemoteAddress() : null;
            if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
                return inet.getAddress().getHostAddress();
            }
        } catch (IOException e) {
            // closed already: counted under one key until its close is reported
        }
        return "unknown";
    }
}
