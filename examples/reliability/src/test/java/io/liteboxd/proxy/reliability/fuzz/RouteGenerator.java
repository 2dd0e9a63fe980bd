package io.liteboxd.proxy.reliability.fuzz;

import java.util.Random;

/**
 * Seeded inputs for the route parser, biased towards the dangerous neighbourhood: mostly a valid prefix, id and
 * port (so the parser gets past its first checks) followed by segments assembled from dots, slashes, backslashes,
 * percent signs and hex digits, with occasional mutations of the id, the port and raw control characters.
 */
public final class RouteGenerator {

    private static final String[] ATOMS = {
        ".", "..", "...", "/", "//", "\\", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "%25", "%252e", "%252f", "%25%32%65",
        "%2%65", "%%32%65", "%32%65", "%00", "%0a", "%0D", ";", ";x", "a", "b", "x", "%", "2", "5", "e", "f", "c",
        "%ff", "%c0%ae", "?", "#", " ", "%20", "+", "~", "é", "\u0000", "\r", "\n", "\t", "\u007f", ".%2e", "%2e.",
    };
    private static final String[] IDS = {"sbx-main", "a", "a-b", "0", "z9", "-a", "a-", "A", "a_b", "a.b", "", "%61",
        "a".repeat(63), "a".repeat(64), "..", "."};
    private static final String[] PORTS = {"80", "1", "65535", "8080", "0", "65536", "080", "+80", "-1", "80a", "",
        "99999999999999999999", "%38%30", " 80"};

    private final Random random;

    public RouteGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** A raw path (most of the time under the prefix). */
    public String path() {
        StringBuilder b = new StringBuilder();
        b.append(random.nextInt(20) == 0 ? "/api/v1/sandboxes" : RouteProperties.PREFIX);
        b.append('/');
        b.append(random.nextInt(6) == 0 ? pick(IDS) : "sbx-main");
        if (random.nextInt(15) != 0) {
            b.append("/port/");
            b.append(random.nextInt(6) == 0 ? pick(PORTS) : String.valueOf(1 + random.nextInt(65535)));
        }
        int atoms = random.nextInt(12);
        if (atoms > 0 && random.nextInt(8) != 0) {
            b.append('/');
        }
        for (int i = 0; i < atoms; i++) {
            b.append(random.nextInt(4) == 0 ? "/" : "");
            b.append(random.nextInt(30) == 0 ? String.valueOf((char) random.nextInt(0x100)) : pick(ATOMS));
        }
        return b.toString();
    }

    /** A raw query or null. */
    public String query() {
        int kind = random.nextInt(6);
        return switch (kind) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "a=" + pick(ATOMS);
            default -> null;
        };
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }
}
