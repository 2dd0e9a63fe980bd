package io.liteboxd.proxy.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The browser cookie that carries the access token after a query-parameter login.
 *
 * <p>{@code HttpOnly} so the sandbox app's scripts cannot read it, {@code SameSite=Lax} so other sites' pages
 * cannot make the browser send it with their subrequests and form posts, {@code Secure} on HTTPS, no
 * {@code Domain} (host-only) and a session lifetime. The value is the token with every byte outside RFC 6265's
 * cookie-octet set (and {@code %}) percent-encoded; tokens made of URL-safe characters are stored as they are.
 */
public final class TokenCookie {

    private TokenCookie() {
    }

    /**
     * @param token  the token that authenticated the request
     * @param path   the cookie path, ending in {@code /}: the sandbox's prefix, or {@code /} on a sandbox host
     * @param secure whether the request came over HTTPS
     * @return the {@code Set-Cookie} header value
     */
    public static String setCookie(String token, String path, boolean secure) {
        return AccessTokens.COOKIE + "=" + encode(token) + "; Path=" + path + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : "");
    }

    /**
     * The {@code Set-Cookie} value after a share link was opened: the link's value, same attributes, and a
     * {@code Max-Age} that ends with the link.
     *
     * @param path the sandbox port's path ending in {@code /}, or {@code /} on a sandbox host
     */
    public static String shareCookie(String value, String path, boolean secure, long maxAgeSeconds) {
        return ShareLinks.COOKIE + "=" + encode(value) + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

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

    /** The token stored by {@link #setCookie}; a value that is not valid percent-encoding is taken as it is. */
    public static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
                int lo = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    return value;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
