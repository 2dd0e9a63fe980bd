package io.liteboxd.proxy.connect;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to dial the upstream for one request.
 *
 * @param uri     the absolute upstream URI including the raw path and query ({@code http}, {@code https},
 *                {@code ws} or {@code wss})
 * @param headers headers to set on the upstream request, replacing any the client sent under the same name
 *                (e.g. {@code Authorization} in API-server mode); names are case-insensitive
 */
public record UpstreamTarget(URI uri, Map<String, String> headers) {

    public UpstreamTarget {
        Objects.requireNonNull(uri, "uri");
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new IllegalArgumentException("upstream URI must be absolute with a host: " + uri);
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public UpstreamTarget(URI uri) {
        this(uri, Map.of());
    }
}
