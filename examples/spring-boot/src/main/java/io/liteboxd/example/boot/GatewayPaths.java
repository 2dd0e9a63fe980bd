package io.liteboxd.example.boot;

import io.liteboxd.proxy.config.ProxyConfig;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells the gateway's requests from the application's own, for the filters and security rules that must leave the
 * gateway's requests alone (see {@link ApplicationFilters} and the Spring Security variant in the tests).
 *
 * <p>A request is the gateway's when the container mapped it to the gateway servlet: its servlet path is the route
 * prefix. That is decided on the decoded, normalised path the container used for mapping, so a request cannot dodge
 * it by spelling the prefix differently ({@code /api/v1/%73andbox/...}). With host-style routes the gateway servlet
 * owns every path of the context, so every request is the gateway's.
 *
 * @param routePrefix the gateway servlet's prefix, or null when it is mapped at {@code /*}
 */
public record GatewayPaths(String routePrefix) {

    /** The paths of the gateway configured by {@code config}. */
    public static GatewayPaths of(ProxyConfig config) {
        return new GatewayPaths(config.hostRouting() ? null : config.routePrefix());
    }

    /** Whether the container sends {@code request} to the gateway servlet. */
    public boolean matches(HttpServletRequest request) {
        return routePrefix == null || routePrefix.equals(request.getServletPath());
    }
}
