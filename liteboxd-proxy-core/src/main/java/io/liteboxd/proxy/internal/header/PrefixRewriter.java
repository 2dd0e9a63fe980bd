package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Adapts upstream response headers to an app that is served under a path prefix it does not know about.
 *
 * <p>An app at {@code http://pod:8000/} that redirects to {@code /login} means its own {@code /login}; through the
 * gateway that is {@code {mount}/login}. Likewise a cookie it sets for {@code Path=/} is meant for the app, not for
 * every sandbox and the gateway's own application on the same origin. Both rewrites are string edits of the one
 * header, nothing else of the response is touched.
 */
public final class PrefixRewriter {

    private PrefixRewriter() {
    }

    /**
     * A root-relative {@code Location} ({@code /x}, not {@code //host/x}) moved under {@code mount}. Absolute and
     * relative locations, and root-relative ones already under {@code mount} (apps that honour
     * {@code X-Forwarded-Prefix}), are returned unchanged.
     *
     * @param mount the public mount path, e.g. {@code /ctx/api/v1/sandbox/abc/port/8000}; empty means no prefix
     */
    public static String location(String value, String mount) {
        if (value == null || mount.isEmpty() || !value.startsWith("/") || value.startsWith("//")
                || value.startsWith("/\\") || isUnder(value, mount)) {
            return value;
        }
        return mount + value;
    }

    /**
     * An upstream {@code Set-Cookie} scoped to the sandbox: a root-relative {@code Path} is moved under
     * {@code mount} (unless already there) and any {@code Domain} attribute is dropped, so the cookie is host-only.
     * Name, value and every other attribute are kept as sent. A cookie without {@code Path} is left without one: the
     * browser's default (the request's directory) is already under the mount.
     *
     * @param mount the public mount path; empty (host-style routes) only drops {@code Domain}
     */
    public static String setCookie(String value, String mount) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split(";", -1);
        List<String> out = new ArrayList<>(parts.length);
        out.add(parts[0]);
        boolean changed = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            String attr = part.trim();
            int eq = attr.indexOf('=');
            String name = (eq < 0 ? attr : attr.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (name.equals("domain")) {
                changed = true;
                continue;
            }
            if (name.equals("path") && eq >= 0 && !mount.isEmpty()) {
                String path = attr.substring(eq + 1).trim();
                if (path.startsWith("/") && !isUnder(path, mount)) {
                    out.add(" Path=" + mount + path);
                    changed = true;
                    continue;
                }
            }
            out.add(part);
        }
        return changed ? String.join(";", out) : value;
    }

    private static boolean isUnder(String path, String mount) {
        if (!path.startsWith(mount)) {
            return false;
        }
        if (path.length() == mount.length()) {
            return true;
        }
        char next = path.charAt(mount.length());
        return next == '/' || next == '?' || next == '#';
    }
}
