package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.route.RawQuery;
import java.util.Locale;
import java.util.Map;

/**
 * Takes the credential out of the address bar: a page load that logs in with {@code ?liteboxd_token=} or
 * {@code ?liteboxd_share=} is answered {@value #STATUS} See Other to the same URL without that parameter, with the
 * gateway's cookie set, instead of being relayed. Otherwise the token would stay in the address bar, the history,
 * bookmarks, and the {@code Referer} of every request the sandbox page makes (to any site it links or loads from).
 *
 * <p>The single place that decides it, for every HTTP front end. Only top-level (or frame) navigations are
 * redirected: {@code GET} or {@code HEAD} with {@code Sec-Fetch-Mode: navigate} or {@code Sec-Fetch-Dest: document},
 * or, from a client that sends no {@code Sec-Fetch-*} headers, an {@code Accept} naming {@code text/html}. Scripts,
 * API clients and other methods are relayed with the cookie set, as before; WebSocket handshakes never come here.
 */
public final class NavigationLogin {

    /** The status of the redirect. */
    public static final int STATUS = 303;

    /**
     * Headers of the redirect besides {@code Location} and {@code Set-Cookie}: no {@code Referer} (it would carry the
     * token) and no caching of an answer to a URL with a credential in it.
     */
    public static final Map<String, String> HEADERS = Map.of("Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    private NavigationLogin() {
    }

    /**
     * Where to send a request instead of relaying it, or {@code null} to relay it.
     *
     * @param admission    the request's admission
     * @param method       the request method
     * @param secFetchMode the {@code Sec-Fetch-Mode} header, or {@code null}
     * @param secFetchDest the {@code Sec-Fetch-Dest} header, or {@code null}
     * @param accept       the {@code Accept} header, or {@code null}
     * @param requestPath  the raw path as the client sent it, servlet context path included
     * @param rawQuery     the raw query as the client sent it, or {@code null}
     * @return {@code requestPath} and the query without the gateway's parameters, every other one kept as sent
     */
    public static String location(Admission admission, String method, String secFetchMode, String secFetchDest,
                                  String accept, String requestPath, String rawQuery) {
        TokenSource source = admission.tokenSource();
        if ((source != TokenSource.QUERY && source != TokenSource.SHARE_LINK) || admission.cookie() == null
                || !("GET".equals(method) || "HEAD".equals(method))
                || !isNavigation(secFetchMode, secFetchDest, accept)) {
            return null;
        }
        // A path starting with "//" or holding a backslash would read as another host in Location (an open
        // redirect from a host-style route, whose path is anything): such a request is relayed instead.
        if (requestPath == null || !requestPath.startsWith("/") || requestPath.startsWith("//")
                || requestPath.indexOf('\\') >= 0) {
            return null;
        }
        String query = RawQuery.without(RawQuery.without(rawQuery, AccessTokens.QUERY_PARAMETER), ShareLinks.PARAMETER);
        return query == null || query.isEmpty() ? requestPath : requestPath + "?" + query;
    }

    /** Whether the request headers describe a document navigation. */
    static boolean isNavigation(String secFetchMode, String secFetchDest, String accept) {
        if (secFetchMode != null || secFetchDest != null) {
            return "navigate".equalsIgnoreCase(trim(secFetchMode)) || "document".equalsIgnoreCase(trim(secFetchDest));
        }
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }
}
