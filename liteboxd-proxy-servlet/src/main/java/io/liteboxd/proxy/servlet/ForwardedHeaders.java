package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.route.SandboxRoute;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code X-Forwarded-*} headers both upstream legs (HTTP and WebSocket handshake) carry, computed in one place.
 *
 * <p>{@code X-Forwarded-For} appends the client address to any chain already present; the others describe this
 * gateway hop and replace whatever the client claimed. {@code X-Forwarded-Prefix} is the sandbox port's mount path
 * ({@code {context}/api/v1/sandbox/{id}/port/{port}}) so apps can build links that come back through the gateway.
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    public static Map<String, String> of(HttpServletRequest request, SandboxRoute route) {
        Map<String, String> headers = new LinkedHashMap<>();
        String prior = request.getHeader("X-Forwarded-For");
        String remote = request.getRemoteAddr();
        headers.put("X-Forwarded-For", prior == null || prior.isBlank() ? remote : prior + ", " + remote);
        headers.put("X-Forwarded-Proto", request.isSecure() ? "https" : "http");
        String host = request.getHeader("Host");
        if (host != null && !host.isBlank()) {
            headers.put("X-Forwarded-Host", host);
        }
        headers.put("X-Forwarded-Port", Integer.toString(request.getServerPort()));
        headers.put("X-Forwarded-Prefix", request.getContextPath() + route.mountPath());
        return headers;
    }
}
