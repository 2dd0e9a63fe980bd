package io.liteboxd.proxy.servlet.websocket.jetty;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

/**
 * What a leg's endpoint runs once it is upgraded: readiness, idleness and closing are handed to the
 * {@link TunnelRelay}, which reads and writes the endpoint itself.
 *
 * <p>Non-blocking throughout ({@link AbstractConnection.NonBlocking}), so Jetty runs it on its selector threads
 * without a dispatch to a pool: with frames not decoded, this is where the tunnel's speed comes from.
 */
final class TunnelConnection extends AbstractConnection.NonBlocking implements Connection.UpgradeTo {

    private final TunnelRelay relay;
    private final TunnelRelay.Leg leg;

    TunnelConnection(EndPoint endPoint, Executor executor, TunnelRelay relay, TunnelRelay.Leg leg) {
        super(endPoint, executor);
        this.relay = relay;
        this.leg = leg;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        // Bytes the HTTP parser read past the handshake (a greeting sent with the 101, or an eager first frame).
        relay.leftover(leg, buffer);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        relay.opened(leg, this);
    }

    @Override
    public void onFillable() {
        relay.readable(leg);
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        // The endpoint failed or closed while we waited for bytes: the next read finds out how.
        relay.readable(leg);
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        relay.idleExpired(leg);
        // The relay closes both legs itself, with close frames where it still can.
        return false;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        relay.closed(leg);
    }
}
