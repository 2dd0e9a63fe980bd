package io.liteboxd.proxy.route;

import java.util.Objects;

/**
 * A parsed gateway route {@code {prefix}/{sandbox-id}/port/{port}/{path}?{query}}.
 *
 * <p>{@code path} and {@code query} are kept exactly as they arrived on the wire (still percent-encoded), so the
 * upstream sees the same bytes the client sent. {@code path} always starts with {@code /}; {@code query} is
 * {@code null} when the request had none (an empty query {@code ?} is kept as {@code ""}).
 *
 * @param prefix    the route prefix, e.g. {@code /api/v1/sandbox}
 * @param sandboxId the validated sandbox id
 * @param port      the validated port, 1-65535
 * @param path      the raw path inside the sandbox, starting with {@code /}
 * @param query     the raw query without {@code ?}, or {@code null}
 */
public record SandboxRoute(String prefix, String sandboxId, int port, String path, String query) {

    public SandboxRoute {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(sandboxId, "sandboxId");
        Objects.requireNonNull(path, "path");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
    }

    /** The gateway-side prefix of this sandbox port, {@code {prefix}/{id}/port/{port}}: the app's mount point. */
    public String mountPath() {
        return prefix + "/" + sandboxId + "/port/" + port;
    }

    /** The raw path and query as they should appear in the upstream request line. */
    public String pathAndQuery() {
        return query == null ? path : path + "?" + query;
    }
}
