package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.List;

/** Case-insensitive header name matching without lower-casing (no allocation per header on the relay paths). */
final class Names {

    private Names() {
    }

    static boolean in(String name, String[] names) {
        for (String n : names) {
            if (n.length() == name.length() && n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    static boolean startsWith(String name, String prefix) {
        return name.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** The comma-separated tokens of every value, trimmed, empty ones skipped. */
    static String[] tokens(List<String> values) {
        if (values.isEmpty()) {
            return new String[0];
        }
        List<String> tokens = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens.toArray(new String[0]);
    }

    static boolean containsToken(List<String> values, String wanted) {
        if (values == null) {
            return false;
        }
        for (String value : values) {
            if (value == null) {
                continue;
            }
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase(wanted)) {
                    return true;
                }
            }
        }
        return false;
    }
}
