package io.liteboxd.proxy.internal.admission;

import io.liteboxd.proxy.connect.Transport;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a client request the admission pipeline looks at, taken from whatever front end received it.
 *
 * @param method        the HTTP method
 * @param host          the host the client addressed ({@code Host}, or {@code X-Forwarded-Host} when configured
 *                      to trust it), with or without {@code :port}; {@code null} when unknown
 * @param rawPath       the raw request path relative to the servlet context
 * @param rawQuery      the raw query, or {@code null}
 * @param tokenHeaders  every {@code X-Access-Token} value
 * @param cookieHeaders every {@code Cookie} header line
 * @param origin        the {@code Origin} header, or {@code null}
 * @param transport     HTTP, or WebSocket for an upgrade request
 * @param contextPath   the servlet context path the request came through ({@code ""} at the root): part of the
 *                      path a keep-prefix route forwards
 */
public record GatewayRequest(String method, String host, String rawPath, String rawQuery, List<String> tokenHeaders,
                             List<String> cookieHeaders, String origin, Transport transport, String contextPath) {

    public GatewayRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(transport, "transport");
        tokenHeaders = tokenHeaders == null ? List.of() : List.copyOf(tokenHeaders);
        cookieHeaders = cookieHeaders == null ? List.of() : List.copyOf(cookieHeaders);
        contextPath = contextPath == null ? "" : contextPath;
    }
}
