package io.liteboxd.proxy.route;

import java.util.Objects;

/**
 * A parsed gateway route: {@code {prefix}/{sandbox-id}/port/{port}/{path}?{query}} ({@link RouteStyle#PATH}) or
 * {@code {port}-{sandbox-id}.{base-domain}/{path}?{query}} ({@link RouteStyle#HOST}).
 *
 * <p>{@code path} and {@code query} are kept exactly as they arrived on the wire (still percent-encoded), so the
 * upstream sees the same bytes the client sent. {@code path} always starts with {@code /}; {@code query} is
 * {@code null} when the request had none (an empty query {@code ?} is kept as {@code ""}).
 *
 * @param prefix    the route prefix, e.g. {@code /api/v1/sandbox}; empty for host-style routes
 * @param sandboxId the validated sandbox id
 * @param port      the validated port, 1-65535
 * @param path      the raw path inside the sandbox, starting with {@code /}
 * @param query     the raw query without {@code ?}, or {@code null}
 * @param style     path-style or host-style
 */
public record SandboxRoute(String prefix, String sandboxId, int port, String path, String query, RouteStyle style) {

    public SandboxRoute {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(sandboxId, "sandboxId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(style, "style");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
    }

    /** A path-style route. */
    public SandboxRoute(String prefix, String sandboxId, int port, String path, String query) {
        this(prefix, sandboxId, port, path, query, RouteStyle.PATH);
    }

    /**
     * The gateway-side prefix of this sandbox port, {@code {prefix}/{id}/port/{port}}: the app's mount point.
     * Empty for a host-style route, whose app is mounted at the root of its host.
     */
    public String mountPath() {
        return style == RouteStyle.HOST ? "" : prefix + "/" + sandboxId + "/port/" + port;
    }

    /**
     * The gateway-side path every port of this sandbox shares, ending in {@code /}: where the browser cookie is
     * scoped. {@code {prefix}/{id}/} for path-style routes, {@code /} for host-style ones (the host scopes them).
     */
    public String sandboxPath() {
        return style == RouteStyle.HOST ? "/" : prefix + "/" + sandboxId + "/";
    }

    /** The raw path and query as they should appear in the upstream request line. */
    public String pathAndQuery() {
        return query == null ? path : path + "?" + query;
    }

    /**
     * The same route forwarding another raw path: the whole path as the browser sent it, for an app that knows its
     * mount path. {@link #mountPath()} is unchanged.
     */
    public SandboxRoute withPath(String rawPath) {
        return new SandboxRoute(prefix, sandboxId, port, rawPath, query, style);
    }

    /** The same route with another raw query ({@code null} for none). */
    public SandboxRoute withQuery(String rawQuery) {
        return new SandboxRoute(prefix, sandboxId, port, path, rawQuery, style);
    }
}
