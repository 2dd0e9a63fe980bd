package io.liteboxd.proxy.auth;

import io.liteboxd.proxy.internal.auth.HmacSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Short-lived, token-less share links: {@code ...?liteboxd_share={expires}.{signature}} opens one port of one sandbox
 * until {@code expires} (epoch seconds), without revealing the sandbox's token.
 *
 * <p>The signature is HMAC-SHA256 over sandbox id, port and expiry with a secret only the gateway (and the service
 * that hands out links) knows, so a link cannot be moved to another sandbox or port or extended. The gateway turns a
 * valid link into a {@code liteboxd_share} cookie scoped to that sandbox port, which expires with the link. A link
 * cannot be revoked before it expires: keep lifetimes short (minutes), and rotate the secret to revoke them all.
 */
public final class ShareLinks {

    /** The query parameter and cookie that carry a share link's value. Never forwarded upstream. */
    public static final String PARAMETER = "liteboxd_share";
    public static final String COOKIE = "liteboxd_share";

    /** Shortest accepted secret, in bytes: a shorter HMAC key weakens the signature. */
    public static final int MIN_SECRET_BYTES = HmacSigner.MIN_KEY_BYTES;

    /** Far longer than any signed value: longer ones are refused before any work is spent on them. */
    private static final int MAX_VALUE_LENGTH = 256;

    private final HmacSigner signer;
    private final Clock clock;

    /** @param secret at least {@value #MIN_SECRET_BYTES} bytes (UTF-8) */
    public ShareLinks(String secret) {
        this(secret, Clock.systemUTC());
    }

    public ShareLinks(String secret, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        this.signer = new HmacSigner(secret.getBytes(StandardCharsets.UTF_8), "share link secret");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The value of {@value #PARAMETER} for a link to {@code port} of {@code sandboxId} that works for {@code ttl}.
     * It is URL-safe: append it to the sandbox port's URL as {@code ?liteboxd_share=<value>}.
     */
    public String sign(String sandboxId, int port, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        long expires = clock.instant().plus(ttl).getEpochSecond();
        return expires + "." + signer.sign(signed(sandboxId, port, expires));
    }

    /**
     * True when {@code value} was signed for this sandbox and port and has not expired. Any other value, of any
     * shape, is false: never an exception. Constant time per well-formed value.
     */
    public boolean verify(String value, String sandboxId, int port) {
        long expires = expires(value);
        if (expires <= clock.instant().getEpochSecond()) {
            return false;
        }
        return signer.verify(signed(sandboxId, port, expires), value.substring(value.indexOf('.') + 1));
    }

    /** Seconds until {@code value} expires (for the cookie's {@code Max-Age}); 0 if it is malformed or expired. */
    public static long secondsLeft(String value, Clock clock) {
        return Math.max(0, expires(value) - clock.instant().getEpochSecond());
    }

    /**
     * The expiry of a value shaped {@code {digits}.{anything}}, or -1 (a value sent by anyone must never make the
     * parse throw).
     */
    private static long expires(String value) {
        if (value == null || value.length() > MAX_VALUE_LENGTH) {
            return -1;
        }
        return HmacSigner.expiry(value, 0, Math.max(0, value.indexOf('.')));
    }

    private static String signed(String sandboxId, int port, long expires) {
        return "liteboxd-share-v1\n" + sandboxId + "\n" + port + "\n" + expires;
    }
}
