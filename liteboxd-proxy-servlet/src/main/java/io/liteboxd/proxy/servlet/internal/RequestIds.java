package io.liteboxd.proxy.servlet.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Request-ID} of a request: the client's when it is a sane token (so a trace started in front of the
 * gateway continues through it), else a fresh random one. Passed to the upstream and written to the access log.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-ID";
    private static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** The id for a request whose {@code X-Request-ID} is {@code given} (may be null). */
    public static String of(String given) {
        return acceptable(given) ? given : generate();
    }

    /** Letters, digits and {@code . _ : -}, at most 128: anything else could forge log lines or headers. */
    static boolean acceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
