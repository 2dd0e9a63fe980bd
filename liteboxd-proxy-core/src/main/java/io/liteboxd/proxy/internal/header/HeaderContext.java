package io.liteboxd.proxy.internal.header;

import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.route.RouteStyle;
import java.util.Map;
import java.util.Objects;

/**
 * What the {@link HeaderPolicy} needs to know about one exchange besides its headers; built once per request by the
 * leg that relays it, from the admission and the client connection.
 *
 * @param admission     the admitted request: route style (path routes share one origin among all sandboxes), the
 *                      target and the forwarding options chosen for this sandbox port
 * @param mount         the public mount path of the sandbox port as the browser sees it (servlet context path
 *                      included), e.g. {@code /ctx/api/v1/sandbox/abc/port/8000}; empty when the app is mounted at
 *                      the root of its host
 * @param clientAddress the client's address as the container reports it
 * @param secure        whether the client connection is HTTPS
 * @param clientHost    the host the client addressed ({@code host[:port]}), or null
 * @param serverPort    the gateway port the client connected to
 * @param requestId     this request's {@code X-Request-ID}
 * @param protocol      the client's protocol, e.g. {@code HTTP/1.1} (for {@code Via})
 * @param webSocket     whether this is a WebSocket handshake
 */
public record HeaderContext(Admission admission, String mount, String clientAddress, boolean secure,
                            String clientHost, int serverPort, String requestId, String protocol, boolean webSocket) {

    public HeaderContext {
        Objects.requireNonNull(admission, "admission");
        mount = mount == null ? "" : mount;
        Objects.requireNonNull(requestId, "requestId");
        protocol = protocol == null ? "HTTP/1.1" : protocol;
    }

    /** Where the request goes; its headers replace the client's. */
    public UpstreamTarget target() {
        return admission.target();
    }

    /** The connector's headers for the upstream. */
    public Map<String, String> connectorHeaders() {
        return admission.target().headers();
    }

    public boolean pathRoute() {
        return admission.route().style() == RouteStyle.PATH;
    }
}
