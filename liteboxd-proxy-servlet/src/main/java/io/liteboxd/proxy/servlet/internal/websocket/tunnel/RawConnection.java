package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * One upgraded connection as the tunnel sees it: bytes read on demand and written with completion, nothing else.
 * How the connection was obtained is an adapter's business ({@link EndPointLeg} for Jetty's endpoints, the
 * upstream's always and the client's on Jetty); the adapter reports its events to a {@link TunnelRelay.Leg}.
 */
public interface RawConnection {

    /**
     * Reads what has arrived, without waiting, into the free space of {@code buffer} (Jetty's fill convention:
     * appended after its limit, which grows).
     *
     * @return the bytes read; 0 if none are waiting, -1 at the end of the stream
     */
    int fill(ByteBuffer buffer) throws IOException;

    /** Asks for {@link TunnelRelay.Leg#readable()} once bytes can be read (or the connection failed). */
    void demand();

    /** True while a {@link #demand()} waits. */
    boolean isDemanding();

    /** Writes {@code bytes}, then completes {@code done}; one write at a time. */
    void write(ByteBuffer bytes, Callback done);

    /** Ends the output after what was written (a TCP FIN), never while a write is pending; no-op when done. */
    void shutdownOutput();

    /** Closes the connection; its adapter then reports {@link TunnelRelay.Leg#closed()}. */
    void close();

    /** How long the connection may be silent before {@link TunnelRelay.Leg#idleExpired()}. */
    void setIdleTimeout(long millis);
}
