package io.liteboxd.proxy.servlet.internal.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Ping and pong payloads: the gateway's own keepalive payload (so its pongs are recognised and not relayed to the
 * peer), and private copies of control payloads that are relayed.
 */
public final class Keepalive {

    private static final byte[] MARKER = "liteboxd-keepalive".getBytes(StandardCharsets.US_ASCII);

    private Keepalive() {
    }

    public static ByteBuffer payload() {
        return ByteBuffer.wrap(MARKER).asReadOnlyBuffer();
    }

    public static boolean isOwnPong(ByteBuffer payload) {
        return payload != null && isOwnPong(payload, payload.position(), payload.remaining(), null);
    }

    /**
     * True if {@code length} bytes at {@code at} (unmasked with {@code mask} when given) are the gateway's own
     * keepalive payload.
     */
    public static boolean isOwnPong(ByteBuffer frame, int at, int length, byte[] mask) {
        if (length != MARKER.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            byte b = frame.get(at + i);
            if ((mask == null ? b : (byte) (b ^ mask[i & 3])) != MARKER[i]) {
                return false;
            }
        }
        return true;
    }

    /** The keepalive payload as bytes, for relays that write frames themselves. */
    public static byte[] payloadBytes() {
        return MARKER.clone();
    }

    /**
     * A private copy of a control frame's payload, which the container reuses once the handler returns; also the
     * payload the copy of a pong is relayed with. {@code null} is an empty payload.
     */
    public static ByteBuffer copy(ByteBuffer source) {
        ByteBuffer copy = ByteBuffer.allocate(source == null ? 0 : source.remaining());
        if (source != null) {
            copy.put(source.duplicate()).flip();
        }
        return copy;
    }
}
