package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.header.CookieHeader;
import io.liteboxd.proxy.internal.route.RawQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The token a request presents and where it came from.
 *
 * <p><b>One source decides.</b> The sources are ranked: {@code X-Access-Token} header, {@code liteboxd_token} query
 * parameter, {@code liteboxd_share} query parameter (signed share link, when enabled), {@code liteboxd_token} cookie,
 * {@code liteboxd_share} cookie. The highest one that is present is the only one consulted: a lower source never
 * rescues a wrong token from a higher one, and a disagreeing lower source is ignored (it is still removed before
 * forwarding). So an explicit credential always overrides the ambient cookie, and a request with a header is never
 * subject to the cookie's Origin check.
 *
 * <ul>
 *   <li>Header: exactly one non-blank {@code X-Access-Token}; repeated is 400, blank is 401.</li>
 *   <li>Query: exactly one non-blank {@code liteboxd_token} parameter; repeated is 400 (two tokens are
 *       ambiguous), blank or undecodable is 401/400.</li>
 *   <li>Share link parameter: as the query parameter; verified by {@link ShareLinks}, not the authenticator.</li>
 *   <li>Cookies: a browser may send several {@code liteboxd_token} (or {@code liteboxd_share}) cookies, also under
 *       their {@link GatewayCookies#HOST_PREFIX} names: different paths, or planted by another page of the same
 *       origin. A cookie counts only when it was issued by the gateway for this route, which each value's check
 *       tells ({@link GatewayCookies#open}, {@link ShareLinks#verify}: a signature, no authenticator call). Up to
 *       {@link #MAX_COOKIE_VALUES} values are checked, so planted ones cannot push the real one out of reach; the
 *       distinct credentials that pass, at most {@link #MAX_COOKIE_CANDIDATES}, are the candidates. Token cookies
 *       rank above share cookies only when one of them passes; cookies that are present but all fail are a 401.</li>
 * </ul>
 *
 * @param source     where the token came from
 * @param candidates one token for header and query, one or more for the cookie; never blank
 */
public record Credential(TokenSource source, List<String> candidates) {

    /** Bound on the distinct checked cookie credentials handed on, each of which may cost an authenticator call. */
    public static final int MAX_COOKIE_CANDIDATES = 4;

    /**
     * Bound on the cookie values checked per request. Browsers keep at most 180 cookies per site, so a page cannot
     * plant enough of them to push the gateway's own cookie past this; each check is one HMAC.
     */
    public static final int MAX_COOKIE_VALUES = 200;

    public Credential {
        Objects.requireNonNull(source, "source");
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no token candidates");
        }
    }

    /**
     * Picks the credential of a request.
     *
     * @param headerValues  every {@code X-Access-Token} value
     * @param rawQuery      the raw query of the route, or {@code null}
     * @param cookieHeaders every {@code Cookie} header line
     * @param browserAuth   whether the query parameter and the cookie count at all
     * @param shareLinks    whether signed share links (parameter and cookie) count
     * @param tokenCookie   the token a {@code liteboxd_token} cookie value carries for this route, or {@code null}
     *                      when the gateway did not issue it; must never throw
     * @param shareCookie   the same for a {@code liteboxd_share} cookie value
     * @throws ProxyException 401 {@code token_missing} when no source is present, 401 {@code token_invalid} when only
     *                        cookies that fail their check are, 400 {@code bad_request} for a repeated header or
     *                        parameter or an undecodable parameter
     */
    public static Credential of(List<String> headerValues, String rawQuery, List<String> cookieHeaders,
                                boolean browserAuth, boolean shareLinks, UnaryOperator<String> tokenCookie,
                                UnaryOperator<String> shareCookie) {
        if (headerValues != null && !headerValues.isEmpty()) {
            return new Credential(TokenSource.HEADER, List.of(AccessTokens.fromHeader(headerValues)));
        }
        if (browserAuth) {
            String token = parameter(rawQuery, AccessTokens.QUERY_PARAMETER);
            if (token != null) {
                return new Credential(TokenSource.QUERY, List.of(token));
            }
        }
        if (shareLinks) {
            String share = parameter(rawQuery, ShareLinks.PARAMETER);
            if (share != null) {
                return new Credential(TokenSource.SHARE_LINK, List.of(share));
            }
        }
        List<String> tokenValues = browserAuth ? cookieValues(cookieHeaders, AccessTokens.COOKIE) : List.of();
        List<String> tokens = checked(tokenValues, Objects.requireNonNullElse(tokenCookie, v -> null));
        if (!tokens.isEmpty()) {
            return new Credential(TokenSource.COOKIE, tokens);
        }
        List<String> shareValues = shareLinks ? cookieValues(cookieHeaders, ShareLinks.COOKIE) : List.of();
        List<String> shares = checked(shareValues, Objects.requireNonNullElse(shareCookie, v -> null));
        if (!shares.isEmpty()) {
            return new Credential(TokenSource.SHARE_COOKIE, shares);
        }
        if (!tokenValues.isEmpty() || !shareValues.isEmpty()) {
            throw new ProxyException(ProxyError.TOKEN_INVALID,
                    "the browser cookie is not valid for this sandbox: open the link with the token again");
        }
        throw new ProxyException(ProxyError.TOKEN_MISSING, browserAuth
                ? "missing " + AccessTokens.HEADER + " header (or " + AccessTokens.QUERY_PARAMETER
                        + " parameter or cookie)"
                : "missing " + AccessTokens.HEADER + " header");
    }

    /** The single non-blank value of a query parameter, or {@code null} when the parameter is absent. */
    private static String parameter(String rawQuery, String name) {
        List<String> params = RawQuery.values(rawQuery, name);
        if (params.isEmpty()) {
            return null;
        }
        if (params.size() > 1) {
            throw new ProxyException(ProxyError.BAD_REQUEST, name + " must be sent once");
        }
        String value = params.get(0);
        if (value == null) {
            throw new ProxyException(ProxyError.BAD_REQUEST, name + " is not valid percent-encoding");
        }
        if (value.isBlank()) {
            throw new ProxyException(ProxyError.TOKEN_MISSING, "empty " + name);
        }
        return value;
    }

    /**
     * The non-blank values of a cookie under its plain and {@link GatewayCookies#HOST_PREFIX} names, at most
     * {@link #MAX_COOKIE_VALUES}.
     */
    private static List<String> cookieValues(List<String> cookieHeaders, String name) {
        List<String> values = new ArrayList<>();
        for (String cookie : List.of(GatewayCookies.HOST_PREFIX + name, name)) {
            for (String value : CookieHeader.values(cookieHeaders, cookie)) {
                if (values.size() == MAX_COOKIE_VALUES) {
                    return values;
                }
                if (!value.isBlank()) {
                    values.add(value);
                }
            }
        }
        return values;
    }

    /** The distinct credentials that pass {@code check}, in the order sent, at most {@link #MAX_COOKIE_CANDIDATES}. */
    private static List<String> checked(List<String> values, UnaryOperator<String> check) {
        List<String> passed = new ArrayList<>();
        for (String value : values) {
            String credential = check.apply(value);
            if (credential != null && !credential.isBlank() && !passed.contains(credential)) {
                passed.add(credential);
                if (passed.size() == MAX_COOKIE_CANDIDATES) {
                    break;
                }
            }
        }
        return passed;
    }

    /** Never prints the tokens. */
    @Override
    public String toString() {
        return "Credential{source=" + source + ", candidates=" + candidates.size() + "}";
    }
}
