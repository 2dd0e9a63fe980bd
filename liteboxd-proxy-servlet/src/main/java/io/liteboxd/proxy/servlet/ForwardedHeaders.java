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
        return of(request.getHeader("X-Forwarded-For"), request.getRemoteAddr(), request.isSecure(),
                ClientHost.determined(request), request.getServerPort(), mount, RequestIds.of(request));
    }

    /**
     * The same headers from plain values, for a client side that is not a servlet request.
     *
     * @param prior the client's {@code X-Forwarded-For}, or null
     * @param host  the host the client addressed ({@link ClientHost}), or null
     */
    public static Map<String, String> of(String prior, String remote, boolean secure, String host, int serverPort,
                                         String mount, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Forwarded-For", prior == null || prior.isBlank() ? remote : prior + ", " + remote);
        headers.put("X-Forwarded-Proto", secure ? "https" : "http");
        if (host != null) {
            headers.put("X-Forwarded-Host", host);
        }
        headers.put("X-Forwarded-Port", Integer.toString(serverPort));
        if (!mount.isEmpty()) {
            headers.put(PREFIX, mount);
        }
        headers.put(RequestIds.HEADER, requestId);
        return headers;
    }

    /** Where the sandbox app is mounted as the client sees it: context path plus the route's mount path. */
    public static String mount(HttpServletRequest request, SandboxRoute route) {
        String context = request.getContextPath();
        return (context == null ? "" : context) + route.mountPath();
    }
}
