package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import io.liteboxd.proxy.servlet.internal.websocket.CloseCodes;
import io.liteboxd.proxy.servlet.internal.websocket.Keepalive;
import io.liteboxd.proxy.servlet.internal.websocket.RelayStats;
import io.liteboxd.proxy.servlet.internal.websocket.Utf8Validator;
import java.nio.ByteBuffer;

/**
 * Follows the RFC 6455 framing of one direction of a tunnelled WebSocket in place: the bytes are relayed as they
 * arrived, never copied, decoded or re-framed, yet the gateway still enforces what an endpoint must (masking,
 * reserved bits and opcodes, control-frame rules, fragmentation order, close payloads, UTF-8 of text, the message
 * size limit), counts messages and recognises the pongs answering its own keepalive pings.
 *
 * <p>A frame that fits in the read buffer is released only once all of it has arrived, so a violation or the
 * sender's death never leaves half a frame on the other leg and the gateway can still close it with a proper close
 * frame. Larger frames stream through as their bytes arrive.
 *
 * <p>Not thread-safe: one direction is scanned serially.
 */
final class FrameScanner {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Where {@link #scan} stopped. */
    enum Outcome {
        /** Everything up to {@link #forwardTo} may be relayed; the rest (if any) is an incomplete frame. */
        MORE,
        /** Relay up to {@link #forwardTo}, then drop the gateway's own pong that ends at {@link #consumedTo}. */
        OWN_PONG,
        /** A close frame ends at {@link #forwardTo}: relay it, and nothing after it. */
        CLOSE,
        /** A protocol violation: see {@link #violation}. */
        VIOLATION
    }

    /**
     * A frame that broke the protocol.
     *
     * @param code  the close code it earns (1002, 1007 or 1009)
     * @param clean nothing of the offending frame was relayed, so the peer can still be sent a close frame
     */
    record Violation(int code, String reason, boolean clean) {
    }

    private final boolean fromClient;
    private final int holdLimit;
    private final long maxMessageSize;
    private final Utf8Validator utf8 = new Utf8Validator();
    private final byte[] mask = new byte[4];

    // The data message in progress.
    private boolean inMessage;
    private boolean text;
    private long messageSize;

    // The data frame whose payload is streaming through.
    private long payloadLeft;
    private boolean frameFin;
    private boolean frameMasked;
    private int maskIndex;

    // Results of the last scan, read by the pipe: where relaying stops, where the next scan starts, the violation it
    // ended on, and the code of the last close frame seen (1005 when it had none).
    int forwardTo;
    int consumedTo;
    Violation violation;
    int closeCode;

    // Complete data messages and their payload bytes seen since the relay last took them (countInto).
    long messages;
    long payloadBytes;

    /**
     * @param fromClient     true for frames sent by the client (they must be masked), false for the upstream's
     *                       (they must not be)
     * @param holdLimit      frames up to this many bytes, header included, are released only when complete
     * @param maxMessageSize largest data message, in payload bytes
     */
    FrameScanner(boolean fromClient, int holdLimit, long maxMessageSize) {
        this.fromClient = fromClient;
        this.holdLimit = holdLimit;
        this.maxMessageSize = maxMessageSize;
    }

    /** Scans {@code buffer} from its position to its limit, without moving either. */
    Outcome scan(ByteBuffer buffer) {
        int p = buffer.position();
        int limit = buffer.limit();
        int frameStart = -1;
        while (true) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, limit - p);
                if (n == 0) {
                    break;
                }
                if (text && !utf8.update(buffer, p, p + n, frameMasked ? mask : null, maskIndex)) {
                    return violation(frameStart, p, 1007, "invalid UTF-8 in a text message");
                }
                maskIndex += n;
                p += n;
                payloadLeft -= n;
                payloadBytes += n;
                if (payloadLeft == 0 && !endOfFrame()) {
                    return violation(frameStart, p, 1007, "text message ends inside a UTF-8 character");
                }
                continue;
            }
            int available = limit - p;
            if (available < 2) {
                break;
            }
            int b0 = buffer.get(p) & 0xFF;
            int b1 = buffer.get(p + 1) & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            int length7 = b1 & 0x7F;
            int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
            int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
            if (available < headerLength) {
                break;
            }
            if ((b0 & 0x70) != 0) {
                return violation(p, p, 1002, "reserved bits set without a negotiated extension");
            }
            if (masked != fromClient) {
                return violation(p, p, 1002, fromClient ? "unmasked client frame" : "masked server frame");
            }
            long length = length7;
            if (lengthBytes == 2) {
                length = buffer.getShort(p + 2) & 0xFFFF;
            } else if (lengthBytes == 8) {
                length = buffer.getLong(p + 2);
                if (length < 0) {
                    return violation(p, p, 1002, "frame length out of range");
                }
            }
            if (masked) {
                int at = p + 2 + lengthBytes;
                for (int i = 0; i < 4; i++) {
                    mask[i] = buffer.get(at + i);
                }
            }
            if ((opcode & 0x08) != 0) {
                Outcome control = control(buffer, p, headerLength, fin, opcode, masked, length, available);
                if (control == null) {
                    break;
                }
                if (control != Outcome.MORE) {
                    return control;
                }
                p = consumedTo;
                continue;
            }
            if (opcode == CONTINUATION) {
                if (!inMessage) {
                    return violation(p, p, 1002, "continuation frame without a message in progress");
                }
            } else if (opcode == TEXT || opcode == BINARY) {
                if (inMessage) {
                    return violation(p, p, 1002, "new message inside a fragmented message");
                }
            } else {
                return violation(p, p, 1002, "reserved opcode " + opcode);
            }
            long sizeSoFar = opcode == CONTINUATION ? messageSize : 0;
            if (length > maxMessageSize - sizeSoFar) {
                return violation(p, p, CloseCodes.MESSAGE_TOO_BIG, "message larger than " + maxMessageSize + " bytes");
            }
            if (headerLength + length <= holdLimit && available < headerLength + length) {
                break;
            }
            if (opcode != CONTINUATION) {
                inMessage = true;
                text = opcode == TEXT;
                messageSize = 0;
            }
            messageSize += length;
            frameFin = fin;
            frameMasked = masked;
            maskIndex = 0;
            frameStart = p;
            p += headerLength;
            payloadLeft = length;
            if (length == 0 && !endOfFrame()) {
                return violation(frameStart, p, 1007, "text message ends inside a UTF-8 character");
            }
        }
        forwardTo = p;
        consumedTo = p;
        return Outcome.MORE;
    }

    /** A control frame at {@code p}; null when it is not complete yet (control frames are always held whole). */
    private Outcome control(ByteBuffer buffer, int p, int headerLength, boolean fin, int opcode, boolean masked,
                            long length, int available) {
        if (opcode != CLOSE && opcode != PING && opcode != PONG) {
            return violation(p, p, 1002, "reserved control opcode " + opcode);
        }
        if (!fin) {
            return violation(p, p, 1002, "fragmented control frame");
        }
        if (length > 125) {
            return violation(p, p, 1002, "control frame payload over 125 bytes");
        }
        int total = headerLength + (int) length;
        if (available < total) {
            return null;
        }
        int payload = p + headerLength;
        byte[] key = masked ? mask : null;
        if (opcode == PONG && Keepalive.isOwnPong(buffer, payload, (int) length, key)) {
            forwardTo = p;
            consumedTo = p + total;
            return Outcome.OWN_PONG;
        }
        if (opcode == CLOSE) {
            if (length == 1) {
                return violation(p, p, 1002, "close frame with a 1-byte payload");
            }
            closeCode = 1005;
            if (length >= 2) {
                int code = (unmask(buffer, payload, key, 0) << 8) | unmask(buffer, payload + 1, key, 1);
                if (!CloseCodes.sendable(code)) {
                    return violation(p, p, 1002, "invalid close code " + code);
                }
                Utf8Validator reason = new Utf8Validator();
                if (!reason.update(buffer, payload + 2, payload + (int) length, key, 2) || !reason.endOfMessage()) {
                    return violation(p, p, 1007, "close reason is not UTF-8");
                }
                closeCode = code;
            }
            forwardTo = p + total;
            consumedTo = forwardTo;
            return Outcome.CLOSE;
        }
        consumedTo = p + total;
        return Outcome.MORE;
    }

    private static int unmask(ByteBuffer buffer, int at, byte[] key, int index) {
        byte b = buffer.get(at);
        return (key == null ? b : b ^ key[index & 3]) & 0xFF;
    }

    private boolean endOfFrame() {
        if (!frameFin) {
            return true;
        }
        inMessage = false;
        messages++;
        return !text || utf8.endOfMessage();
    }

    /**
     * @param frameStart where the offending frame starts if its header is in this scan, else -1 (part of it
     *                   already left)
     */
    private Outcome violation(int frameStart, int at, int code, String reason) {
        violation = new Violation(code, reason, frameStart >= 0);
        if (violation.clean()) {
            // The offending frame is not relayed: the stream relayed so far ends on a boundary.
            payloadLeft = 0;
        }
        forwardTo = frameStart >= 0 ? frameStart : at;
        consumedTo = forwardTo;
        return Outcome.VIOLATION;
    }

    /** True when the bytes relayed so far end on a frame boundary, so the gateway may insert a frame of its own. */
    boolean atFrameBoundary() {
        return payloadLeft == 0;
    }

    /** Adds what was counted since the last call to {@code stats}, as sent by {@code from}. */
    void countInto(RelayStats stats, RelayStats.Side from) {
        stats.add(from, messages, payloadBytes);
        messages = 0;
        payloadBytes = 0;
    }
}
