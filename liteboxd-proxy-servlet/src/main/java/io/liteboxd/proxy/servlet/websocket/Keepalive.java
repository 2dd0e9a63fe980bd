package io.liteboxd.proxy.servlet.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The payload of the gateway's own keepalive pings, so their pongs are recognised and not relayed to the peer. */
public final class Keepalive {

    private static final byte[] MARKER = "liteboxd-keepalive".getBytes(StandardCharsets.US_ASCII);

    private Keepalive() {
    }

    public static ByteBuffer payload() {
        return ByteBuffer.wrap(MARKER).asReadOnlyBuffer();
    }

    public static boolean isOwnPong(ByteBuffer payload) {
        return payload != null && payload.remaining() == MARKER.length
                && payload.duplicate().equals(ByteBuffer.wrap(MARKER));
    }
}
