package io.liteboxd.gateway;

import io.liteboxd.proxy.internal.auth.GatewayCookies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@code --signing-key-file}: the one key of cookies and share links, which every replica must share (a
 * Kubernetes Secret mounted as a file). One key serves both because each signs a text that starts with its own
 * purpose ({@code liteboxd-cookie-v1}, {@code liteboxd-share-v1}), so a signature made for one never verifies as the
 * other; a platform service that hands out share links signs with the same key.
 */
final class SigningKey {

    /** Larger than any sensible key: a file this big is the wrong file. */
    private static final long MAX_BYTES = 4096;

    private SigningKey() {
    }

    /**
     * The key in {@code file}, without one trailing newline ({@code echo} and editors add one, which would make the
     * key differ from what a link-signing service reads).
     *
     * @throws GatewayStartException naming the file and what is wrong with it
     */
    static String read(Path file) throws GatewayStartException {
        String prefix = "cannot read the signing key: " + file + ": ";
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new GatewayStartException(prefix + "is a directory (name the key file inside the mounted"
                        + " Secret)");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new GatewayStartException(prefix + "larger than " + MAX_BYTES + " bytes, not a key");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GatewayStartException(prefix + "no such file");
        } catch (IOException e) {
            throw new GatewayStartException(prefix + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        String key = new String(bytes, StandardCharsets.UTF_8);
        if (key.endsWith("\r\n")) {
            key = key.substring(0, key.length() - 2);
        } else if (key.endsWith("\n")) {
            key = key.substring(0, key.length() - 1);
        }
        int length = key.getBytes(StandardCharsets.UTF_8).length;
        if (length < GatewayCookies.MIN_SECRET_BYTES) {
            throw new GatewayStartException(prefix + (length == 0 ? "empty" : "only " + length + " bytes")
                    + "; at least " + GatewayCookies.MIN_SECRET_BYTES + " are needed (e.g. head -c 48 /dev/urandom"
                    + " | base64 > FILE)");
        }
        return key;
    }
}
