package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The value of the gateway's {@code liteboxd_token} cookie: {@code v1.{token}.{expires}.{mac}}, the token
 * (base64url), its expiry (epoch seconds) and an HMAC-SHA256 over sandbox id, cookie scope, expiry and token made
 * with a key only the gateway holds ({@code cookieSecret}).
 *
 * <p><b>Why signed.</b> Pages of one origin can set cookies on each other's paths (every sandbox on path-style
 * routes; sibling hosts with {@code Domain=} on host-style ones), and the browser sends the more specific ones
 * first. Only values this gateway issued, for this sandbox, verify: each costs one HMAC and no
 * {@link TokenAuthenticator} call, so planted values are skipped however many come before the real one.
 *
 * <p><b>Why the token is inside, not encrypted.</b> The token is still checked with the authenticator on every
 * request, so revoking it ends every cookie that carries it; the signature only tells the gateway's cookies from
 * planted ones. The cookie is {@code HttpOnly}, never forwarded to a sandbox, and a bearer credential until it
 * expires whatever it contains, so hiding the token from its holder would add a cipher but no protection.
 *
 * <p>The key must be shared by every replica behind one address. Without a configured one, {@link #processKey()}
 * makes a random key once per process: cookies then work only on the replica that set them, until it restarts.
 */
public final class GatewayCookies {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCookies.class);

    /**
     * Name prefix of the cookies set on HTTPS host-style routes ({@code __Host-liteboxd_token}): browsers accept such
     * a cookie only with {@code Secure}, {@code Path=/} and no {@code Domain}, so a sibling host cannot plant one.
     */
    public static final String HOST_PREFIX = "__Host-";

    /** Shortest accepted key, in bytes. */
    public static final int MIN_SECRET_BYTES = HmacSigner.MIN_KEY_BYTES;

    /** How long a cookie value stays valid (and its {@code Max-Age}): a person opens the link again after that. */
    public static final Duration LIFETIME = Duration.ofHours(12);

    private static final String VERSION = "v1";
    /** Longer values are refused before any work is spent on them; tokens are far shorter. */
    private static final int MAX_VALUE_LENGTH = 4096;

    private final HmacSigner signer;
    private final Clock clock;

    /** @param secret at least {@value #MIN_SECRET_BYTES} bytes (UTF-8), the same on every replica */
    public GatewayCookies(String secret) {
        this(bytes(secret), Clock.systemUTC());
    }

    public GatewayCookies(byte[] key, Clock clock) {
        this.signer = new HmacSigner(Objects.requireNonNull(key, "key"), "cookie secret");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** With {@code secret}, or with {@link #processKey()} when it is {@code null}. */
    public static GatewayCookies of(String secret) {
        return secret == null ? new GatewayCookies(processKey(), Clock.systemUTC()) : new GatewayCookies(secret);
    }

    /** The random key of this process, made (and announced at INFO) on first use. */
    public static byte[] processKey() {
        return ProcessKey.KEY.clone();
    }

    private static final class ProcessKey {
        static final byte[] KEY = generate();

        private static byte[] generate() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            LOG.info("cookieSecret is not set: browser cookies are signed with a random key of this process. They "
                    + "end when it restarts and work only on the replica that set them: give all replicas one "
                    + "cookieSecret");
            return key;
        }
    }

    private static byte[] bytes(String secret) {
        return Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A cookie value carrying {@code token} for {@code sandboxId}, valid for {@link #LIFETIME}.
     *
     * @param scope the route's cookie scope ({@code SandboxRoute.sandboxPath()}), which {@link #open} must match
     */
    public String sign(String sandboxId, String scope, String token) {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        return VERSION + "." + encoded + "." + expires + "." + signer.sign(signed(sandboxId, scope, expires, encoded));
    }

    /**
     * The token inside {@code value} when this gateway signed it for this sandbox and scope and it has not expired;
     * {@code null} for any other value, of any shape (never an exception).
     */
    public String open(String value, String sandboxId, String scope) {
        if (value == null || value.length() > MAX_VALUE_LENGTH || !value.startsWith(VERSION + ".")) {
            return null;
        }
        int tokenStart = VERSION.length() + 1;
        int tokenEnd = value.indexOf('.', tokenStart);
        int expiresEnd = tokenEnd < 0 ? -1 : value.indexOf('.', tokenEnd + 1);
        if (tokenEnd <= tokenStart || expiresEnd < 0) {
            return null;
        }
        long expires = HmacSigner.expiry(value, tokenEnd + 1, expiresEnd);
        if (expires <= clock.instant().getEpochSecond()) {
            return null;
        }
        String encoded = value.substring(tokenStart, tokenEnd);
        if (!signer.verify(signed(sandboxId, scope, expires, encoded), value.substring(expiresEnd + 1))) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String signed(String sandboxId, String scope, long expires, String encodedToken) {
        return "liteboxd-cookie-v1\n" + sandboxId + "\n" + scope + "\n" + expires + "\n" + encodedToken;
    }
}
