package io.liteboxd.bench;

/**
 * Message bodies of the load generator: ASCII text whose first 12 characters are a zero-padded sequence number,
 * then a filler that depends only on the position, so an echo can be checked without keeping what was sent.
 */
public final class Payloads {

    public static final int SEQ_DIGITS = 12;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private Payloads() {
    }

    public static String filler(int size) {
        char[] c = new char[size];
        for (int i = 0; i < size; i++) {
            c[i] = ALPHABET.charAt(i % ALPHABET.length());
        }
        return new String(c);
    }

    /** A message of {@code size} characters (at least {@link #SEQ_DIGITS}) carrying {@code seq}. */
    public static String message(long seq, int size, String filler) {
        String digits = Long.toString(seq);
        StringBuilder sb = new StringBuilder(size);
        for (int i = digits.length(); i < SEQ_DIGITS; i++) {
            sb.append('0');
        }
        sb.append(digits);
        sb.append(filler, SEQ_DIGITS, size);
        return sb.toString();
    }

    /** The sequence number of a message, or -1 if it does not start with one. */
    public static long seq(String message) {
        if (message.length() < SEQ_DIGITS) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < SEQ_DIGITS; i++) {
            char ch = message.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /** Whether {@code message} is exactly what {@link #message} made for {@code seq}. */
    public static boolean matches(String message, long seq, int size, String filler, boolean full) {
        if (message.length() != size || seq(message) != seq) {
            return false;
        }
        if (full) {
            return message.regionMatches(SEQ_DIGITS, filler, SEQ_DIGITS, size - SEQ_DIGITS);
        }
        return message.charAt(size - 1) == filler.charAt(size - 1);
    }
}
