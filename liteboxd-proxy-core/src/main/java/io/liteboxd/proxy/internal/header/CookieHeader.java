package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads and removes one cookie of a {@code Cookie} request header ({@code name=value; name2=value2}, RFC 6265
 * section 4.2) without touching the others: every other pair is kept as it was sent, in order.
 */
public final class CookieHeader {

    private CookieHeader() {
    }

    /**
     * Every value of the cookie {@code name} across all {@code Cookie} header lines, in the order sent (browsers
     * send the cookie with the longest path first), without surrounding double quotes.
     */
    public static List<String> values(List<String> cookieHeaders, String name) {
        List<String> values = new ArrayList<>();
        if (cookieHeaders == null) {
            return values;
        }
        for (String header : cookieHeaders) {
            if (header == null) {
                continue;
            }
            for (String pair : header.split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).trim().equals(name)) {
                    String value = p.substring(eq + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    values.add(value);
                }
            }
        }
        return values;
    }

    /**
     * One {@code Cookie} header line without the cookie {@code name}.
     *
     * @return the line itself when it has no such cookie; the other pairs joined with {@code "; "} otherwise;
     *         {@code null} when nothing is left
     */
    public static String without(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        String[] pairs = cookieHeader.split(";");
        List<String> kept = new ArrayList<>(pairs.length);
        boolean removed = false;
        for (String pair : pairs) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equals(name)) {
                removed = true;
            } else if (!p.isEmpty()) {
                kept.add(p);
            }
        }
        if (!removed) {
            return cookieHeader;
        }
        return kept.isEmpty() ? null : String.join("; ", kept);
    }
}
