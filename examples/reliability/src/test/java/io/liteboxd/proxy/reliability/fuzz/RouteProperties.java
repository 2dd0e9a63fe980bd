package io.liteboxd.proxy.reliability.fuzz;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import io.liteboxd.proxy.route.SandboxRoute;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What must hold for every input to {@link RouteParser}, written independently of its implementation: the parser
 * either refuses with {@code route_invalid} (nothing else may escape it) or returns a route whose parts are exactly
 * the raw bytes of the input and that cannot leave the sandbox root once an upstream percent-decodes it.
 */
public final class RouteProperties {

    public static final String PREFIX = "/api/v1/sandbox";
    static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    private RouteProperties() {
    }

    /** The outcome of one input: null if every property held, else what broke. */
    public static String check(String rawPath, String rawQuery) {
        SandboxRoute route;
        try {
            route = new RouteParser(PREFIX).parse(rawPath, rawQuery);
        } catch (ProxyException e) {
            return e.error() == ProxyError.ROUTE_INVALID ? null : "refused with " + e.error() + " instead of route_invalid";
        } catch (RuntimeException e) {
            return "threw " + e;
        }
        List<String> broken = new ArrayList<>();
        String expectedMount = PREFIX + "/" + route.sandboxId() + "/port/" + route.port();
        if (!ID.matcher(route.sandboxId()).matches()) {
            broken.add("accepted sandbox id " + route.sandboxId());
        }
        if (route.port() < 1 || route.port() > 65535) {
            broken.add("accepted port " + route.port());
        }
        if (!rawPath.startsWith(expectedMount)) {
            broken.add("route " + expectedMount + " is not what the path starts with");
        } else {
            String rest = rawPath.substring(expectedMount.length());
            String portText = rawPath.substring(expectedMount.length() - String.valueOf(route.port()).length(),
                    expectedMount.length());
            if (!PORT.matcher(portText).matches()) {
                broken.add("port text " + portText);
            }
            if (!(rest.isEmpty() ? "/" : rest).equals(route.path())) {
                broken.add("path " + route.path() + " is not the raw rest " + rest);
            }
            if (!rest.isEmpty() && !rest.startsWith("/")) {
                broken.add("accepted " + rest + " right after the port");
            }
        }
        if (rawQuery == null ? route.query() != null : !rawQuery.equals(route.query())) {
            broken.add("query " + route.query() + " is not the raw query " + rawQuery);
        }
        if (hasControl(rawPath) || (rawQuery != null && hasControl(rawQuery))) {
            broken.add("accepted a raw control character");
        }
        String once = decode(route.path());
        if (hasNulCrLf(once)) {
            broken.add("accepted an encoded NUL/CR/LF");
        }
        if (climbs(once)) {
            broken.add("climbs above the sandbox root once percent-decoded");
        }
        return broken.isEmpty() ? null : String.join("; ", broken);
    }

    /**
     * The stricter property the library documents ("a double-encoded %25 prefix, which some stacks decode twice"):
     * an upstream that percent-decodes twice must not be able to climb out either.
     */
    public static String checkDoubleDecoding(String rawPath, String rawQuery) {
        SandboxRoute route;
        try {
            route = new RouteParser(PREFIX).parse(rawPath, rawQuery);
        } catch (RuntimeException e) {
            return null;
        }
        return climbs(decode(decode(route.path()))) ? "climbs above the sandbox root once decoded twice" : null;
    }

    /** Standard percent-decoding of every valid {@code %XX} (bytes, then UTF-8), as an upstream does it. */
    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * RFC 3986 section 5.2.4 style walk with both slash kinds as separators: true if ".." ever leaves the root.
     * {@code ..;x} is not a dot-segment here: the upstreams the check protects (the Kubernetes API server's pod
     * proxy) do not strip path parameters.
     */
    static boolean climbs(String path) {
        int depth = 0;
        for (String s : path.replace('\\', '/').split("/", -1)) {
            if (s.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!s.isEmpty() && !s.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    private static boolean hasNulCrLf(String s) {
        return s.indexOf('\0') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Escapes for a one-line corpus entry: {@code \\}, {@code \t}, {@code \r}, {@code \n}, {@code \xNN}. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        b.append(String.format("\\x%02x", (int) c & 0xff));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    public static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'n' -> b.append('\n');
                case 'x' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> b.append(n);
            }
        }
        return b.toString();
    }
}
