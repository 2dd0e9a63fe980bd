package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.route.SandboxRoute;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code X-Forwarded-*} headers both upstream legs (HTTP and WebSocket handshake) carry, computed in one place.
 *
 * <p>{@code X-Forwarded-For} appends the client address to any chain already present; the others describe this
 * gateway hop and replace whatever the client claimed. {@code X-Forwarded-Host} is the host the client addressed
 * ({@link ClientHost}). {@code X-Forwarded-Prefix} is the sandbox port's mount path
 * ({@code {context}/api/v1/sandbox/{id}/port/{port}}) so apps can build links that come back through the gateway;
 * it is left out when there is no prefix (a host-style route in the root context).
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /**
     * Set by the gateway only (absent for host-style routes at the root); a client's own value is dropped on both
     * legs so that it cannot claim a prefix.
     */
    public static final String PREFIX = "X-Forwarded-Prefix";

    public static Map<String, String> of(HttpServletRequest request, SandboxRoute route) {
        return of(request, mount(request, route));
    }

    /** As {@link #of(HttpServletRequest, SandboxRoute)}, with the mount path already computed. */
    public static Map<String, String> of(HttpServletRequest request, String mount) {
        Map<String, String> headers = new LinkedHashMap<>();
        String prior = request.getHeader("X-Forwarded-For");
        String remote = request.getRemoteAddr();
        headers.put("X-Forwarded-For", prior == null || prior.isBlank() ? remote : prior + ", " + remote);
        headers.put("X-Forwarded-Proto", request.isSecure() ? "https" : "http");
        String host = ClientHost.determined(request);
        if (host != null) {
            headers.put("X-Forwarded-Host", host);
        }
        headers.put("X-Forwarded-Port", Integer.toString(request.getServerPort()));
        if (!mount.isEmpty()) {
            headers.put(PREFIX, mount);
        }
        headers.put(RequestIds.HEADER, RequestIds.of(request));
        return headers;
    }

    /** Where the sandbox app is mounted as the client sees it: context path plus the route's mount path. */
    public static String mount(HttpServletRequest request, SandboxRoute route) {
        String context = request.getContextPath();
        return (context == null ? "" : context) + route.mountPath();
    }
}
