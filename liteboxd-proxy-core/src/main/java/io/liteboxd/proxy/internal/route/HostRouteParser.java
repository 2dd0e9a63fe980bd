package io.liteboxd.proxy.internal.route;

import io.liteboxd.proxy.route.RouteStyle;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Recognises host-style routes {@code {port}-{sandbox-id}.{base-domain}}, for apps that cannot live under a path
 * prefix (single-page apps and tools that build root-relative URLs such as {@code /websockify} or
 * {@code /static/...}): the whole raw path and query belong to the sandbox app.
 *
 * <p>Only a host with exactly one label in front of the base domain is a sandbox host. Any other host is not this
 * parser's business: an unrelated name or an IP address falls back to path-style routing, while the base domain
 * itself and deeper names under it ({@link #covers}) are refused by the gateway, since no path-style route may be
 * served on a sandbox's site. A one-label host that does not spell {@code {port}-{sandbox-id}} is refused: it was meant
 * for a sandbox and a path-style reading of it would only confuse.
 */
public final class HostRouteParser {

    private final String baseDomain;
    private final String suffix;

    /** @param baseDomain lower-case DNS name, e.g. {@code sandbox.example.com} */
    public HostRouteParser(String baseDomain) {
        this.baseDomain = Objects.requireNonNull(baseDomain, "baseDomain");
        this.suffix = "." + baseDomain;
    }

    public String baseDomain() {
        return baseDomain;
    }

    /**
     * @param host     the host the client addressed ({@code Host} or a trusted {@code X-Forwarded-Host}), with or
     *                 without {@code :port}; {@code null} when unknown
     * @param rawPath  the raw request path relative to the servlet context
     * @param rawQuery the raw query or {@code null}
     * @return the route, or empty when {@code host} is not a sandbox host under the base domain
     * @throws io.liteboxd.proxy.error.ProxyException {@code route_invalid} for a malformed sandbox host or path
     */
    public Optional<SandboxRoute> parse(String host, String rawPath, String rawQuery) {
        String label = sandboxLabel(host);
        if (label == null) {
            return Optional.empty();
        }
        int dash = label.indexOf('-');
        if (dash <= 0) {
            throw RouteParser.invalid("host must be {port}-{sandbox-id}." + baseDomain);
        }
        int port = RouteParser.parsePort(label.substring(0, dash));
        String sandboxId = label.substring(dash + 1);
        RouteParser.validateSandboxId(sandboxId);
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw RouteParser.invalid("path must start with /");
        }
        RouteParser.rejectUnsafeCharacters(rawPath, rawQuery);
        RouteParser.rejectClimbingAboveRoot(rawPath);
        return Optional.of(new SandboxRoute("", sandboxId, port, rawPath, rawQuery, RouteStyle.HOST));
    }

    /**
     * Whether {@code host} is the base domain itself or any name under it ({@code x.base}, {@code a.b.base}): hosts
     * that belong to host-style routes, where no path-style route may be served.
     *
     * @param host as for {@link #parse}; {@code null} is no such host
     */
    public boolean covers(String host) {
        String h = normalize(host);
        return h != null && (h.equals(baseDomain) || h.endsWith(suffix));
    }

    /** The single label in front of the base domain, or {@code null} if {@code host} is not such a host. */
    private String sandboxLabel(String host) {
        String h = normalize(host);
        if (h == null || !h.endsWith(suffix)) {
            return null;
        }
        String label = h.substring(0, h.length() - suffix.length());
        return label.isEmpty() || label.indexOf('.') >= 0 ? null : label;
    }

    /** Lower case, without {@code :port} and a trailing dot; {@code null} for no host or an IPv6 literal. */
    private static String normalize(String host) {
        if (host == null || host.isEmpty() || host.startsWith("[")) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
