package io.liteboxd.proxy.internal.config;

import java.util.Locale;

/** Parses byte sizes: {@code 65536}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB} (also {@code k}, {@code m}, {@code g}). */
public final class Sizes {

    private Sizes() {
    }

    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 15) {
            throw new IllegalArgumentException("not a size: " + text + " (use e.g. 65536, 64KiB, 16MiB)");
        }
        long n = Long.parseLong(t.substring(0, split));
        long unit = switch (t.substring(split).trim()) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            default -> throw new IllegalArgumentException("not a size: " + text + " (use e.g. 65536, 64KiB, 16MiB)");
        };
        return Math.multiplyExact(n, unit);
    }
}
