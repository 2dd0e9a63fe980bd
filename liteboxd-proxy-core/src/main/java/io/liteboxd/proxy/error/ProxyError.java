package io.liteboxd.proxy.error;

/**
 * Every way a gateway request can fail, with its HTTP status and a stable machine-readable code.
 *
 * <p>The {@link #code()} strings are part of the public contract: clients may branch on them, so they never change
 * meaning. The human message travels separately in {@link ProxyException#getMessage()}.
 */
public enum ProxyError {
    /** The path is not {@code /api/v1/sandbox/{id}/port/{port}/...} or contains something we refuse. */
    ROUTE_INVALID(400, "route_invalid"),
    /** The request is malformed in a way other than its route (headers, WebSocket handshake fields). */
    BAD_REQUEST(400, "bad_request"),
    /**
     * No route style that is switched on serves this request: a path-style route on a host under the base domain
     * (those hosts belong to host-style routes), or any path-style route when path routes are off.
     */
    ROUTE_NOT_FOUND(404, "route_not_found"),
    /** The request head (request line and header fields) is larger than the server accepts. */
    HEADERS_TOO_LARGE(431, "request_header_too_large"),
    /** No access token was presented. */
    TOKEN_MISSING(401, "token_missing"),
    /** An access token was presented but is not valid for this sandbox. */
    TOKEN_INVALID(401, "token_invalid"),
    /**
     * A request authenticated by the browser cookie alone came from an origin that is not allowed (cross-site
     * WebSocket hijacking and cross-origin form posts are refused this way).
     */
    ORIGIN_FORBIDDEN(403, "origin_forbidden"),
    /** The sandbox exists but this port is not in its allow-list. */
    PORT_FORBIDDEN(403, "port_forbidden"),
    /** No sandbox with this id. */
    SANDBOX_NOT_FOUND(404, "sandbox_not_found"),
    /**
     * The request announced a body that the embedding application read before the gateway could relay it (a servlet
     * filter in front of the gateway, such as Spring's {@code FormContentFilter}). A fault of the application's
     * setup, not of the client: nothing is relayed, or the request already started upstream is aborted.
     */
    BODY_CONSUMED(500, "body_consumed"),
    /** The upstream refused the WebSocket handshake with its own 4xx status (the status is passed through). */
    UPSTREAM_REFUSED(502, "upstream_refused"),
    /** The upstream could not be reached or answered the handshake with something unusable. */
    UPSTREAM_UNREACHABLE(502, "upstream_unreachable"),
    /** The sandbox exists but is not ready (pending, restarting, no address yet). */
    SANDBOX_NOT_READY(503, "sandbox_not_ready"),
    /** The gateway is at a configured limit or shutting down. */
    UNAVAILABLE(503, "unavailable"),
    /** Any other failure inside the gateway. Details are logged, never sent. */
    INTERNAL(503, "internal_error"),
    /** The upstream did not answer in time. */
    UPSTREAM_TIMEOUT(504, "upstream_timeout");

    private final int status;
    private final String code;

    ProxyError(int status, String code) {
        this.status = status;
        this.code = code;
    }

    /** The default HTTP status for this error. */
    public int status() {
        return status;
    }

    /** The stable machine-readable code, e.g. {@code sandbox_not_found}. */
    public String code() {
        return code;
    }
}
