package io.liteboxd.proxy.servlet.internal.websocket;

import java.nio.ByteBuffer;

/**
 * Incremental UTF-8 validation of a text message split across frames (RFC 3629 ranges: no overlongs, no surrogates,
 * nothing above U+10FFFF). Lets the tunnel relay text frames without decoding them, and still close with 1007
 * on invalid text as RFC 6455 requires. Also counts the UTF-8 size of text for the bridge, without encoding it.
 */
public final class Utf8Validator {

    private int needed;
    private int lower = 0x80;
    private int upper = 0xBF;

    /**
     * Validates {@code bytes[from, to)} in place, unmasking them on the fly when {@code mask} is given (client
     * frames relayed without being copied).
     *
     * @param maskOffset index into {@code mask} of the byte at {@code from}
     * @return false as soon as the bytes so far cannot be valid UTF-8
     */
    public boolean update(ByteBuffer bytes, int from, int to, byte[] mask, int maskOffset) {
        int i = from;
        if (mask == null) {
            // Text is mostly ASCII: skip it without entering the state machine.
            while (needed == 0 && i < to && bytes.get(i) >= 0) {
                i++;
            }
            for (; i < to; i++) {
                if (!step(bytes.get(i) & 0xFF)) {
                    return false;
                }
            }
            return true;
        }
        for (int m = maskOffset; i < to; i++, m++) {
            if (!step((bytes.get(i) ^ mask[m & 3]) & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    private boolean step(int c) {
        if (needed == 0) {
            if (c < 0x80) {
                return true;
            }
            if (c >= 0xC2 && c <= 0xDF) {
                needed = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                needed = 2;
                if (c == 0xE0) {
                    lower = 0xA0;
                } else if (c == 0xED) {
                    upper = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                needed = 3;
                if (c == 0xF0) {
                    lower = 0x90;
                } else if (c == 0xF4) {
                    upper = 0x8F;
                }
            } else {
                return false;
            }
            return true;
        }
        if (c < lower || c > upper) {
            return false;
        }
        lower = 0x80;
        upper = 0xBF;
        needed--;
        return true;
    }

    /** @return false if the message ended inside a character; resets for the next message */
    public boolean endOfMessage() {
        boolean complete = needed == 0;
        needed = 0;
        lower = 0x80;
        upper = 0xBF;
        return complete;
    }

    /** The UTF-8 size of {@code s} without encoding it, for the message size limit. */
    static long length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
