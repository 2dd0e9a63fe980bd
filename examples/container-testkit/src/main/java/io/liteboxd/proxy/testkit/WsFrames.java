package io.liteboxd.proxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** RFC 6455 framing by hand, so tests can send frames a conforming client library refuses to produce. */
public final class WsFrames {

    public static final String KEY = RawHttp.WEBSOCKET_KEY;
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private WsFrames() {
    }

    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {

        public boolean isClose() {
            return opcode == CLOSE;
        }

        /** The close status, or 1005 when the close frame carried none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return isClose() ? "close(" + closeCode() + ", \"" + closeReason() + "\")"
                    : "frame(op=" + opcode + ", fin=" + fin + ", " + payload.length + " bytes)";
        }
    }

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key}. */
    public static String acceptKey(String key) {
        return RawHttp.expectedAccept(key);
    }

    /** A client frame (masked, as RFC 6455 requires of clients). */
    public static byte[] client(boolean fin, int opcode, byte[] payload) {
        return encode(fin, 0, opcode, payload, true);
    }

    /** A server frame (unmasked). */
    public static byte[] server(boolean fin, int opcode, byte[] payload) {
        return encode(fin, 0, opcode, payload, false);
    }

    public static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    public static byte[] encode(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf));
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            out.write(maskBit | payload.length);
        } else if (payload.length <= 0xffff) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            long len = payload.length;
            for (int i = 7; i >= 0; i--) {
                out.write((int) (len >> (8 * i)));
            }
        }
        if (masked) {
            out.writeBytes(MASK);
            byte[] m = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                m[i] = (byte) (payload[i] ^ MASK[i % 4]);
            }
            out.writeBytes(m);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** Reads one frame (either direction); blocks up to the socket's read timeout. */
    public static Frame read(InputStream in) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("connection ended before a frame");
        }
        int b1 = readByte(in);
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (readByte(in) << 8) | readByte(in);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte(in);
            }
        }
        if (len > 256L * 1024 * 1024) {
            throw new IOException("frame too large for a test: " + len);
        }
        byte[] mask = masked ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len) {
            throw new EOFException("frame ended after " + payload.length + " of " + len + " bytes");
        }
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0xf, payload);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection ended inside a frame header");
        }
        return b;
    }
}
