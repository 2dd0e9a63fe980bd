package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import io.liteboxd.proxy.servlet.internal.websocket.CloseCodes;
import io.liteboxd.proxy.servlet.internal.websocket.Keepalive;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** The few frames the tunnel writes itself: keepalive pings and close frames, masked towards the upstream. */
final class ControlFrames {

    private ControlFrames() {
    }

    static ByteBuffer ping(boolean masked) {
        return frame(FrameScanner.PING, Keepalive.payloadBytes(), masked);
    }

    static ByteBuffer close(int code, String reason, boolean masked) {
        byte[] text = CloseCodes.reason(reason).getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(FrameScanner.CLOSE, payload, masked);
    }

    private static ByteBuffer frame(int opcode, byte[] payload, boolean masked) {
        ByteBuffer frame = ByteBuffer.allocate(2 + (masked ? 4 : 0) + payload.length);
        frame.put((byte) (0x80 | opcode));
        frame.put((byte) ((masked ? 0x80 : 0) | payload.length));
        if (masked) {
            byte[] key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
            frame.put(key);
            for (int i = 0; i < payload.length; i++) {
                frame.put((byte) (payload[i] ^ key[i & 3]));
            }
        } else {
            frame.put(payload);
        }
        return frame.flip();
    }
}
