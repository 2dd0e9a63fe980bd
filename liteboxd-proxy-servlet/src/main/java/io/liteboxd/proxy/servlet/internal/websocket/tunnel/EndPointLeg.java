package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * A tunnel leg on a Jetty {@link EndPoint}: what the endpoint runs once it is upgraded (the upstream's, from the
 * HTTP client, and on Jetty the client's). Readiness, idleness and closing go to the {@link TunnelRelay.Leg}, which
 * reads and writes the endpoint through {@link RawConnection}.
 *
 * <p>Non-blocking throughout ({@link AbstractConnection.NonBlocking}), so Jetty runs it on its selector threads
 * without a dispatch to a pool: with frames not decoded, this is where the tunnel's speed comes from.
 */
public final class EndPointLeg extends AbstractConnection.NonBlocking implements Connection.UpgradeTo, RawConnection {

    private final TunnelRelay.Leg leg;

    /** @param executor the executor of whoever owns {@code endPoint} (the connector's or the HTTP client's) */
    public EndPointLeg(EndPoint endPoint, Executor executor, TunnelRelay.Leg leg) {
        super(endPoint, executor);
        this.leg = leg;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        // Bytes the HTTP parser read past the handshake (a greeting sent with the 101, or an eager first frame).
        leg.leftover(buffer);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        leg.opened(this);
    }

    @Override
    public void onFillable() {
        leg.readable();
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        // The endpoint failed or closed while we waited for bytes: the next read finds out how.
        onFillable();
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        leg.idleExpired();
        // The relay closes both legs itself, with close frames where it still can.
        return false;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        leg.closed();
    }

    @Override
    public int fill(ByteBuffer buffer) throws java.io.IOException {
        return getEndPoint().fill(buffer);
    }

    @Override
    public void demand() {
        fillInterested();
    }

    @Override
    public boolean isDemanding() {
        return isFillInterested();
    }

    @Override
    public void write(ByteBuffer bytes, Callback done) {
        getEndPoint().write(done, bytes);
    }

    @Override
    public void shutdownOutput() {
        getEndPoint().shutdownOutput();
    }

    @Override
    public void setIdleTimeout(long millis) {
        getEndPoint().setIdleTimeout(millis);
    }
}
