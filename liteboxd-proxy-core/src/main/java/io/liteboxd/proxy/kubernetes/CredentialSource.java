package io.liteboxd.proxy.kubernetes;

import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces the {@code Authorization} header value for one API-server request. Asked once per new upstream
 * connection, so the implementations that can change (token files, exec plugins, OIDC) must stay cheap on the hot
 * path and still notice a change before the next connection.
 */
interface CredentialSource {

    /** The header value ({@code Bearer ...} or {@code Basic ...}), or empty for client-certificate-only access. */
    Optional<String> authorization();

    /** No header: the client certificate (or nothing) authenticates. */
    CredentialSource NONE = Optional::empty;

    static CredentialSource bearer(String token) {
        Optional<String> value = Optional.of("Bearer " + token.trim());
        return () -> value;
    }

    static CredentialSource basic(String user, String password) {
        String encoded = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Optional<String> value = Optional.of("Basic " + encoded);
        return () -> value;
    }

    /**
     * A bearer token kept in a file that is replaced while we run: the kubeconfig {@code tokenFile} or the projected
     * service-account token, which the kubelet rotates by swapping a symlink.
     */
    final class TokenFile implements CredentialSource {
        private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

        private final Path file;
        private final long maxAgeNanos;
        private final LongSupplier nanoClock;
        private String token;
        private Object stamp;
        private long readAt;

        /**
         * @param maxAge re-read at least this often even if the file looks unchanged, covering file systems whose
         *               timestamps are too coarse to show a rewrite
         */
        TokenFile(Path file, Duration maxAge) {
            this(file, maxAge, System::nanoTime);
        }

        TokenFile(Path file, Duration maxAge, LongSupplier nanoClock) {
            this.file = Objects.requireNonNull(file, "file");
            this.maxAgeNanos = maxAge.toNanos();
            this.nanoClock = nanoClock;
            // Fail at start-up, not on the first request, when the file is missing.
            read(stampOf(file));
        }

        @Override
        public synchronized Optional<String> authorization() {
            // One stat per connection is the price of noticing a rotation at once; the read happens only on change.
            Object current = stampOf(file);
            if (current == null || !current.equals(stamp) || nanoClock.getAsLong() - readAt >= maxAgeNanos) {
                read(current);
            }
            return Optional.of("Bearer " + token);
        }

        private void read(Object currentStamp) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (text.isEmpty()) {
                    throw new IOException("token file is empty");
                }
                token = text;
                stamp = currentStamp;
                readAt = nanoClock.getAsLong();
            } catch (IOException e) {
                if (token == null) {
                    throw new IllegalStateException("cannot read Kubernetes token file " + file + ": " + e, e);
                }
                // Mid-rotation the file can briefly be missing; the previous token is usually still valid.
                LOG.warn("Cannot re-read Kubernetes token file {}, keeping the previous token: {}", file, e.toString());
            }
        }

        private static Object stampOf(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return java.util.Arrays.asList(a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * Tokens from an exec credential plugin or an auth provider (OIDC, GCP), obtained through the official client's
     * {@link KubeConfig#getCredentials()}, which runs the plugin or refreshes the provider token. Running a plugin
     * per connection would fork a process per request, so a token is reused for {@code period}.
     */
    final class Refreshing implements CredentialSource {
        private static final Logger LOG = LoggerFactory.getLogger(Refreshing.class);
        private static final long RETRY_NANOS = Duration.ofSeconds(5).toNanos();

        private final Supplier<Map<String, String>> credentials;
        private final long periodNanos;
        private final LongSupplier nanoClock;
        private String token;
        private long obtainedAt;

        Refreshing(Supplier<Map<String, String>> credentials, Duration period, LongSupplier nanoClock) {
            this.credentials = credentials;
            this.periodNanos = period.toNanos();
            this.nanoClock = nanoClock;
        }

        @Override
        public synchronized Optional<String> authorization() {
            if (token == null || nanoClock.getAsLong() - obtainedAt >= periodNanos) {
                String fresh = null;
                try {
                    Map<String, String> c = credentials.get();
                    fresh = c == null ? null : c.get(KubeConfig.CRED_TOKEN_KEY);
                } catch (RuntimeException e) {
                    LOG.warn("Kubernetes credential plugin failed: {}", e.toString());
                }
                if (fresh != null && !fresh.isBlank()) {
                    token = fresh.trim();
                    obtainedAt = nanoClock.getAsLong();
                } else if (token == null) {
                    throw new IllegalStateException("the kubeconfig credential plugin produced no token");
                } else {
                    LOG.warn("Kubernetes credential plugin produced no token, keeping the previous one");
                    // Retry soon rather than on every connection: a failing plugin must not fork per request.
                    obtainedAt = nanoClock.getAsLong() - periodNanos + Math.min(periodNanos, RETRY_NANOS);
                }
            }
            return Optional.of("Bearer " + token);
        }
    }
}
