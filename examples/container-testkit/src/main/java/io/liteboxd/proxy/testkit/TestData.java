package io.liteboxd.proxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic pseudo-random payloads that both ends can regenerate, so large bodies are checked by length and
 * SHA-256 without ever holding them in memory. Not all-zero or repeating: a relay that drops, duplicates or reorders
 * a chunk changes the digest.
 */
public final class TestData {

    private TestData() {
    }

    /** A stream of {@code length} bytes derived from {@code seed}. */
    public static InputStream stream(long length, long seed) {
        return new InputStream() {
            private long remaining = length;
            private long state = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
            private long word;
            private int wordBytes;

            @Override
            public int read() {
                if (remaining <= 0) {
                    return -1;
                }
                remaining--;
                return nextByte();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (remaining <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, remaining);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) nextByte();
                }
                remaining -= n;
                return n;
            }

            private int nextByte() {
                if (wordBytes == 0) {
                    // xorshift64*: cheap, and its bytes do not repeat with any period a relay bug could hide behind.
                    state ^= state >>> 12;
                    state ^= state << 25;
                    state ^= state >>> 27;
                    word = state * 0x2545F4914F6CDD1DL;
                    wordBytes = 8;
                }
                int b = (int) (word & 0xFF);
                word >>>= 8;
                wordBytes--;
                return b;
            }
        };
    }

    /** The whole payload in memory; only for sizes that are meant to fit (a few MiB). */
    public static byte[] bytes(int length, long seed) {
        try (InputStream in = stream(length, seed)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of the payload {@link #stream(long, long)} produces. */
    public static String sha256(long length, long seed) {
        try (InputStream in = stream(length, seed)) {
            return Digest.of(in).sha256();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256Digest().digest(data));
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Length and SHA-256 of a stream, read in chunks. */
    public record Digest(long length, String sha256) {

        public static Digest of(InputStream in) throws IOException {
            MessageDigest md = sha256Digest();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                total += n;
            }
            return new Digest(total, HexFormat.of().formatHex(md.digest()));
        }
    }
}
