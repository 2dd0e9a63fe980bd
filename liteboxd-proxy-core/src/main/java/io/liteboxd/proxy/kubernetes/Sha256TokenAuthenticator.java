package io.liteboxd.proxy.kubernetes;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks tokens against stored SHA-256 digests, for registries that keep only the hex SHA-256 of each token (as
 * LiteBoxd's database does). The presented token is hashed and the two digests are compared in constant time.
 *
 * <p>The lookup is called on a request thread for every request: serve it from memory or a cache, and make it
 * thread-safe. It returns the lower- or upper-case hex digest of the sandbox's token, or empty when the sandbox is
 * unknown; an unknown sandbox fails like a wrong token.
 */
public final class Sha256TokenAuthenticator implements TokenAuthenticator {

    private final Function<String, Optional<String>> storedSha256Hex;

    /** @param storedSha256Hex sandbox id to the hex SHA-256 of its access token */
    public Sha256TokenAuthenticator(Function<String, Optional<String>> storedSha256Hex) {
        this.storedSha256Hex = Objects.requireNonNull(storedSha256Hex, "storedSha256Hex");
    }

    /** The lower-case hex SHA-256 of a token, the form to store. */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    @Override
    public boolean authenticate(String sandboxId, String token) {
        Optional<String> stored = storedSha256Hex.apply(sandboxId);
        if (stored == null || stored.isEmpty()) {
            return false;
        }
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(stored.get().trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Digests have a fixed length, so comparing them leaks nothing about the token's length either.
        return expected.length == 32 && MessageDigest.isEqual(expected, sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
