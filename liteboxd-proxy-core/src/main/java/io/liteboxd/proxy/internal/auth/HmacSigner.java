package io.liteboxd.proxy.internal.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of the gateway's signed values (share links, browser cookies), and the one parser of the
 * decimal expiry they carry. Whatever a client sends, nothing here throws.
 */
public final class HmacSigner {

    /** Shortest accepted key, in bytes: a shorter HMAC key weakens the signature. */
    public static final int MIN_KEY_BYTES = 32;
    /** At most this many expiry digits, so the number always fits a long. */
    private static final int MAX_EXPIRY_DIGITS = 18;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    /** A Mac is not thread-safe and costs a provider lookup and key setup to make: one per thread, reused. */
    private final ThreadLocal<Mac> macs;

    /** @param what names the key in the error about its length, e.g. "share link secret" */
    public HmacSigner(byte[] key, String what) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(what + " must be at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** The base64url signature of {@code text}. */
    public String sign(String text) {
        // doFinal resets the Mac for the next use on this thread.
        byte[] digest = macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    /** Whether {@code signature} is the signature of {@code text}, compared in constant time. */
    public boolean verify(String text, String signature) {
        return MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    /** The expiry written as the digits {@code value[from, to)}, or -1 when they are not 1-18 decimal digits. */
    public static long expiry(String value, int from, int to) {
        if (to <= from || to - from > MAX_EXPIRY_DIGITS) {
            return -1;
        }
        long expires = 0;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            expires = expires * 10 + (c - '0');
        }
        return expires;
    }
}
