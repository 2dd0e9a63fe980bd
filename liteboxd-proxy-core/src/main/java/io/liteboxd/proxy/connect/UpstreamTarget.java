package io.liteboxd.proxy.connect;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to dial the upstream for one request.
 *
 * @param uri                   the absolute upstream URI including the raw path and query ({@code http},
 *                              {@code https}, {@code ws} or {@code wss})
 * @param headers               headers to set on the upstream request, replacing any the client sent under the
 *                              same name (e.g. {@code Authorization} in API-server mode); names are
 *                              case-insensitive
 * @param carriesGatewayIdentity true when the connection to the upstream is authenticated as the gateway itself
 *                              (a bearer token in {@code headers}, or a TLS client certificate, as with the
 *                              Kubernetes API server): the client's own {@code Authorization} is then never
 *                              forwarded, so a client cannot swap in a credential of its own
 */
public record UpstreamTarget(URI uri, Map<String, String> headers, boolean carriesGatewayIdentity) {

    public UpstreamTarget {
        Objects.requireNonNull(uri, "uri");
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new IllegalArgumentException("upstream URI must be absolute with a host: " + uri);
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A target with connector headers; it carries the gateway's identity when they include {@code Authorization}. */
    public UpstreamTarget(URI uri, Map<String, String> headers) {
        this(uri, headers, headers != null && headers.keySet().stream().anyMatch("Authorization"::equalsIgnoreCase));
    }

    public UpstreamTarget(URI uri) {
        this(uri, Map.of(), false);
    }
}
