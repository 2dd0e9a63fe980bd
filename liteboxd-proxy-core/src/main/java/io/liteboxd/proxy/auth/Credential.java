package io.liteboxd.proxy.auth;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.header.CookieHeader;
import io.liteboxd.proxy.route.RawQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The token a request presents and where it came from.
 *
 * <p><b>One source decides.</b> The sources are ranked: {@code X-Access-Token} header, {@code liteboxd_token} query
 * parameter, {@code liteboxd_share} query parameter (signed share link, when enabled), {@code liteboxd_token} cookie,
 * {@code liteboxd_share} cookie. The highest one that is present is the only one consulted: a lower source never rescues a wrong token from a higher one, and a
 * disagreeing lower source is ignored (it is still removed before forwarding). So an explicit credential always
 * overrides the ambient cookie, and a request with a header is never subject to the cookie's Origin check.
 *
 * <ul>
 *   <li>Header: exactly one non-blank {@code X-Access-Token}; repeated is 400, blank is 401.</li>
 *   <li>Query: exactly one non-blank {@code liteboxd_token} parameter; repeated is 400 (two tokens are
 *       ambiguous), blank or undecodable is 401/400.</li>
 *   <li>Share link parameter: as the query parameter; verified by {@link ShareLinks}, not the authenticator.</li>
 *   <li>Cookies: a browser may send several {@code liteboxd_token} (or {@code liteboxd_share}) cookies (different paths; a page of another
 *       sandbox on the same origin can plant one). Each distinct non-blank value is a candidate, tried in the order
 *       sent, at most {@link #MAX_COOKIE_CANDIDATES}; the first that authenticates wins.</li>
 * </ul>
 *
 * @param source     where the token came from
 * @param candidates one token for header and query, one or more for the cookie; never blank
 */
public record Credential(TokenSource source, List<String> candidates) {

    /** Bound on the cookie values tried, so a pile of planted cookies cannot multiply authenticator calls. */
    public static final int MAX_COOKIE_CANDIDATES = 4;

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
     * @throws ProxyException 401 {@code token_missing} when no source is present, 400 {@code bad_request} for a
     *                        repeated header or parameter or an undecodable parameter
     */
    public static Credential of(List<String> headerValues, String rawQuery, List<String> cookieHeaders,
                                boolean browserAuth, boolean shareLinks) {
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
        if (browserAuth) {
            List<String> cookies = cookies(cookieHeaders, AccessTokens.COOKIE);
            if (!cookies.isEmpty()) {
                return new Credential(TokenSource.COOKIE, cookies);
            }
        }
        if (shareLinks) {
            List<String> cookies = cookies(cookieHeaders, ShareLinks.COOKIE);
            if (!cookies.isEmpty()) {
                return new Credential(TokenSource.SHARE_COOKIE, cookies);
            }
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

    /** The distinct non-blank values of a cookie, in the order sent, at most {@link #MAX_COOKIE_CANDIDATES}. */
    private static List<String> cookies(List<String> cookieHeaders, String name) {
        List<String> values = new ArrayList<>();
        for (String raw : CookieHeader.values(cookieHeaders, name)) {
            String value = TokenCookie.decode(raw);
            if (!value.isBlank() && !values.contains(value) && values.size() < MAX_COOKIE_CANDIDATES) {
                values.add(value);
            }
        }
        return values;
    }

    /** Never prints the tokens. */
    @Override
    public String toString() {
        return "Credential{source=" + source + ", candidates=" + candidates.size() + "}";
    }
}
