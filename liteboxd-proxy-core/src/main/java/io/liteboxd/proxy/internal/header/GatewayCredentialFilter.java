package io.liteboxd.proxy.internal.header;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.internal.route.RawQuery;
import java.util.List;

/**
 * The gateway's own credentials never leave it, and a sandbox can never set them: {@code X-Access-Token}, the
 * gateway's cookies inside {@code Cookie}, its query parameters inside {@code Referer} (a page opened with
 * {@code ?liteboxd_token=} sends its own URL as the referrer of everything it loads), and an upstream
 * {@code Set-Cookie} for one of its cookie names.
 */
final class GatewayCredentialFilter implements HeaderFilter {

    /** Every cookie name the gateway reads, with the {@code __Host-} form used on HTTPS host routes. */
    static final String[] COOKIES = {AccessTokens.COOKIE, ShareLinks.COOKIE,
        GatewayCookies.HOST_PREFIX + AccessTokens.COOKIE, GatewayCookies.HOST_PREFIX + ShareLinks.COOKIE};
    private static final String[] PARAMETERS = {AccessTokens.QUERY_PARAMETER, ShareLinks.PARAMETER};

    @Override
    public void request(HeaderBlock headers, HeaderContext context) {
        headers.remove(AccessTokens.HEADER);
        for (int i = headers.size() - 1; i >= 0; i--) {
            String name = headers.name(i);
            if (name.equalsIgnoreCase("Cookie")) {
                String rest = headers.value(i);
                for (String cookie : COOKIES) {
                    rest = rest == null ? null : CookieHeader.without(rest, cookie);
                }
                headers.value(i, rest);
            } else if (name.equalsIgnoreCase("Referer")) {
                headers.value(i, withoutParameters(headers.value(i)));
            }
        }
    }

    @Override
    public void response(HeaderBlock headers, HeaderContext context) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.name(i).equalsIgnoreCase("Set-Cookie") && setsGatewayCookie(headers.value(i))) {
                headers.value(i, null);
            }
        }
    }

    /** A URL without the gateway's query parameters; every other byte as it was. */
    static String withoutParameters(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        int hash = url.indexOf('#', q);
        String query = hash < 0 ? url.substring(q + 1) : url.substring(q + 1, hash);
        String kept = query;
        for (String parameter : PARAMETERS) {
            kept = RawQuery.without(kept, parameter);
        }
        if (kept == query) {
            return url;
        }
        String tail = hash < 0 ? "" : url.substring(hash);
        return url.substring(0, kept == null ? q : q + 1) + (kept == null ? "" : kept) + tail;
    }

    /** True for a {@code Set-Cookie} value that names one of the gateway's cookies. */
    static boolean setsGatewayCookie(String setCookieValue) {
        int eq = setCookieValue.indexOf('=');
        int semi = setCookieValue.indexOf(';');
        int end = eq >= 0 && (semi < 0 || eq < semi) ? eq : semi >= 0 ? semi : setCookieValue.length();
        String name = setCookieValue.substring(0, end).trim();
        for (String cookie : COOKIES) {
            if (cookie.equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<HeaderRule> rules() {
        return List.of(
                HeaderRule.request(AccessTokens.HEADER, "dropped", "always"),
                HeaderRule.request("Cookie", "the gateway's cookies (`" + String.join("`, `", COOKIES)
                        + "`) taken out; every other cookie kept as sent; dropped when nothing is left", "always"),
                HeaderRule.request("Referer", "the `" + String.join("` and `", PARAMETERS)
                        + "` query parameters taken out; the rest kept byte for byte", "always"),
                HeaderRule.response("Set-Cookie", "dropped when it names one of the gateway's cookies", "always"));
    }
}
