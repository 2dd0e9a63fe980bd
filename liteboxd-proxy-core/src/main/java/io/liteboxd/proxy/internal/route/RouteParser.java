package io.liteboxd.proxy.internal.route;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.route.SandboxRoute;

/**
 * Parses and validates {@code {prefix}/{sandbox-id}/port/{port}/{path}} from the raw, undecoded request path.
 *
 * <p>Works on the raw form on purpose: decoding first would turn {@code %2F} into a separator and {@code %2e%2e}
 * into a dot-segment before we could judge them. The sandbox-facing path is passed through byte for byte, but a
 * path whose dot-segments (raw or percent-encoded, with {@code /}, {@code %2F}, {@code \} or {@code %5C} as
 * separators) would climb above the sandbox root is refused, because in API-server mode the root is
 * {@code .../pods/{pod}:{port}/proxy/} and climbing out of it reaches other API resources.
 */
public final class RouteParser {

    /** Longest accepted sandbox id: a Kubernetes label value / DNS label is at most 63 characters. */
    public static final int MAX_SANDBOX_ID_LENGTH = 63;

    private final String prefix;

    /**
     * @param prefix the route prefix without trailing slash, e.g. {@code /api/v1/sandbox}
     */
    public RouteParser(String prefix) {
        if (prefix == null || !prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("route prefix must start with '/' and not end with '/': " + prefix);
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /**
     * @param rawPath  the raw request path relative to the servlet context (no query), as sent by the client
     * @param rawQuery the raw query string without {@code ?}, or {@code null}
     * @return the validated route
     * @throws ProxyException with {@link ProxyError#ROUTE_INVALID} when the path is not a valid sandbox route
     */
    public SandboxRoute parse(String rawPath, String rawQuery) {
        if (rawPath == null || !rawPath.startsWith(prefix + "/")) {
            throw invalid("path must start with " + prefix + "/{sandbox-id}/port/{port}");
        }
        rejectUnsafeCharacters(rawPath, rawQuery);
        int idStart = prefix.length() + 1;
        int idEnd = rawPath.indexOf('/', idStart);
        if (idEnd < 0) {
            throw invalid("missing /port/{port} after the sandbox id");
        }
        String sandboxId = rawPath.substring(idStart, idEnd);
        validateSandboxId(sandboxId);

        if (!rawPath.startsWith("/port/", idEnd)) {
            throw invalid("expected /port/{port} after the sandbox id");
        }
        int portStart = idEnd + "/port/".length();
        int portEnd = rawPath.indexOf('/', portStart);
        if (portEnd < 0) {
            portEnd = rawPath.length();
        }
        int port = parsePort(rawPath.substring(portStart, portEnd));

        String path = portEnd == rawPath.length() ? "/" : rawPath.substring(portEnd);
        rejectClimbingAboveRoot(path);
        return new SandboxRoute(prefix, sandboxId, port, path, rawQuery);
    }

    /** Control characters anywhere, encoded NUL/CR/LF in the path: the checks every route style shares. */
    static void rejectUnsafeCharacters(String rawPath, String rawQuery) {
        rejectControlCharacters(rawPath, "path");
        rejectEncodedLineBreaks(rawPath);
        if (rawQuery != null) {
            rejectControlCharacters(rawQuery, "query");
        }
    }

    static void rejectClimbingAboveRoot(String path) {
        if (climbsAboveRoot(path)) {
            throw invalid("path must not leave the sandbox root with dot-segments");
        }
    }

    /**
     * Lower-case letters, digits and inner hyphens, at most 63: what fits in a pod name {@code sandbox-{id}} and a
     * label value.
     *
     * @throws ProxyException {@link ProxyError#ROUTE_INVALID} naming the rule that was broken
     */
    public static void validateSandboxId(String id) {
        if (id.isEmpty()) {
            throw invalid("sandbox id is empty");
        }
        if (id.length() > MAX_SANDBOX_ID_LENGTH) {
            throw invalid("sandbox id is longer than " + MAX_SANDBOX_ID_LENGTH + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0 && i < id.length() - 1);
            if (!ok) {
                throw invalid("sandbox id may contain only a-z, 0-9 and inner '-'");
            }
        }
    }

    /** Digits only, no sign, no leading zero, 1-65535; rejects before overflow can happen. */
    static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            throw invalid("port must be a number from 1 to 65535");
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid("port must be a number from 1 to 65535");
            }
            value = value * 10 + (c - '0');
        }
        if (text.charAt(0) == '0' || value > 65535) {
            throw invalid("port must be a number from 1 to 65535");
        }
        return value;
    }

    /**
     * True when resolving the dot-segments of {@code path} would go above its root, judged after two rounds of
     * percent-decoding (upstreams such as the Kubernetes API server decode, and some stacks decode twice), with
     * {@code \\} counted as a separator.
     */
    static boolean climbsAboveRoot(String path) {
        String normalized = decodeTraversalEscapes(path);
        int depth = 0;
        int start = 0;
        int length = normalized.length();
        while (start <= length) {
            int end = start;
            while (end < length && normalized.charAt(end) != '/') {
                end++;
            }
            String segment = normalized.substring(start, end);
            if (segment.equals("..")) {
                depth--;
                if (depth < 0) {
                    return true;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
            start = end + 1;
        }
        return false;
    }

    private static String decodeTraversalEscapes(String path) {
        String s = path;
        // Two full rounds of percent-decoding: anything an upstream that decodes twice would see as "..", "/" or
        // "\\" is judged as such (%252e, %25%32%65, %2%65 after one round, ...).
        for (int round = 0; round < 2; round++) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                    out.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                    i += 2;
                } else {
                    out.append(c);
                }
            }
            s = out.toString();
        }
        return s.replace('\\', '/');
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static void rejectControlCharacters(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw invalid(what + " contains a control character");
            }
        }
    }

    /** Encoded NUL/CR/LF in a path only ever serve to confuse an upstream's path handling or logs. */
    private static void rejectEncodedLineBreaks(String path) {
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%00") || lower.contains("%0a") || lower.contains("%0d")) {
            throw invalid("path contains an encoded NUL, CR or LF");
        }
    }

    static ProxyException invalid(String message) {
        return new ProxyException(ProxyError.ROUTE_INVALID, message);
    }
}
