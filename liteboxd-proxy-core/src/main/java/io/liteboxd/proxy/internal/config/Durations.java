package io.liteboxd.proxy.internal.config;

import java.time.Duration;
import java.util.Locale;

/** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} and ISO-8601 ({@code PT30S}); a bare number is seconds. */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (t.startsWith("pt") || t.startsWith("p")) {
            try {
                return Duration.parse(text.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a duration: " + text);
            }
        }
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 12) {
            throw new IllegalArgumentException("not a duration: " + text + " (use e.g. 500ms, 30s, 5m, 1h)");
        }
        long n = Long.parseLong(t.substring(0, split));
        return switch (t.substring(split)) {
            case "ms" -> Duration.ofMillis(n);
            case "", "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("not a duration: " + text + " (use e.g. 500ms, 30s, 5m, 1h)");
        };
    }
}
