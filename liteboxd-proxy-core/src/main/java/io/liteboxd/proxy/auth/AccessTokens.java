package io.liteboxd.proxy.auth;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The names under which a token is presented, extracting it from {@code X-Access-Token}, and comparing secrets
 * safely. The header outranks the query parameter, which outranks the cookie (docs/security.md).
 */
public final class AccessTokens {

    /** The header a client authenticates with. Never forwarded upstream. */
    public static final String HEADER = "X-Access-Token";

    /** The query parameter a browser link authenticates with. Never forwarded upstream. */
    public static final String QUERY_PARAMETER = "liteboxd_token";

    /** The cookie the gateway sets after a query-parameter login. Never forwarded upstream. */
    public static final String COOKIE = "liteboxd_token";

    private AccessTokens() {
    }

    /**
     * The single token presented in {@code X-Access-Token}.
     *
     * @param headerValues every value of the header, in order (empty if absent)
     * @throws ProxyException 401 {@code token_missing} when absent or blank, 400 {@code bad_request} when repeated:
     *                        two tokens are ambiguous, and a proxy in front might have checked the other one
     */
    public static String fromHeader(List<String> headerValues) {
        if (headerValues == null || headerValues.isEmpty()) {
            throw new ProxyException(ProxyError.TOKEN_MISSING, "missing " + HEADER + " header");
        }
        if (headerValues.size() > 1) {
            throw new ProxyException(ProxyError.BAD_REQUEST, HEADER + " must be sent once");
        }
        String token = headerValues.get(0);
        if (token == null || token.isBlank()) {
            throw new ProxyException(ProxyError.TOKEN_MISSING, "empty " + HEADER + " header");
        }
        return token;
    }

    /** Constant-time equality of two secrets (time depends only on the lengths). */
    public static boolean secretEquals(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
