package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import java.nio.charset.StandardCharsets;

/**
 * The {@code Set-Cookie} of the gateway's browser cookies: {@code liteboxd_token} after a query-parameter login (its
 * value signed by {@link GatewayCookies}) and {@code liteboxd_share} after a share link.
 *
 * <p>{@code HttpOnly} so the sandbox app's scripts cannot read it, {@code SameSite=Lax} so other sites' pages
 * cannot make the browser send it with their subrequests and form posts, {@code Secure} on HTTPS, no
 * {@code Domain} (host-only) and a {@code Max-Age} that ends with the value's own validity. On HTTPS with
 * {@code Path=/} (host-style routes) the name carries the {@link GatewayCookies#HOST_PREFIX}, which browsers refuse
 * to let any other host set. Values are stored with every byte outside RFC 6265's cookie-octet set (and {@code %})
 * percent-encoded; the gateway's own values are URL-safe and stored as they are.
 */
public final class TokenCookie {

    private TokenCookie() {
    }

    /**
     * @param name          {@link AccessTokens#COOKIE} or {@link ShareLinks#COOKIE}
     * @param value         the cookie's value
     * @param path          the cookie path, ending in {@code /}
     * @param secure        whether the request came over HTTPS
     * @param maxAgeSeconds how long the browser keeps it
     * @return the {@code Set-Cookie} header value
     */
    public static String setCookie(String name, String value, String path, boolean secure, long maxAgeSeconds) {
        String prefix = secure && "/".equals(path) ? GatewayCookies.HOST_PREFIX : "";
        return prefix + name + "=" + encode(value) + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /** Never a byte that could end the value or the header: the gateway's own values pass unchanged. */
    static String encode(String token) {
        StringBuilder out = new StringBuilder(token.length());
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean octet = c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a)
                    || (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
            if (octet && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
