package io.liteboxd.proxy.route;

/** How a request named its sandbox and port. */
public enum RouteStyle {
    /** {@code {prefix}/{sandbox-id}/port/{port}/{path}}: the sandbox app lives under a path prefix. */
    PATH,
    /** {@code {port}-{sandbox-id}.{base-domain}/{path}}: the sandbox app owns the whole host, no prefix. */
    HOST
}
