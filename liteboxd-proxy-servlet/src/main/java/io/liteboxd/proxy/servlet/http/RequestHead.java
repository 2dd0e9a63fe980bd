package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.servlet.ForwardedHeaders;
import io.liteboxd.proxy.servlet.UpstreamHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The bytes of the request line and header block the {@link PooledRelay} sends upstream: the same headers the
 * {@code AsyncProxyServlet} leg sends (see {@link HttpRelay}), written directly.
 *
 * <ul>
 *   <li>the client's headers, except {@code Host}, the hop-by-hop ones (the fixed set and those its
 *       {@code Connection} names), {@code X-Access-Token} and a client-sent {@code X-Forwarded-Prefix}; the
 *       gateway's own cookies are taken out of {@code Cookie};</li>
 *   <li>{@code Host} of the upstream; {@code Via} with this hop appended;</li>
 *   <li>the connector's headers and the {@code X-Forwarded-*} set, replacing any of the client's of the same
 *       name.</li>
 * </ul>
 */
final class RequestHead {

    /** Hop-by-hop request headers, lower case (the set Jetty's proxy drops). */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authorization",
            "proxy-authenticate", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade");

    private static final String ACCESS_TOKEN = AccessTokens.HEADER.toLowerCase(Locale.ROOT);
    private static final String FORWARDED_PREFIX = ForwardedHeaders.PREFIX.toLowerCase(Locale.ROOT);

    private RequestHead() {
    }

    /**
     * @param target    the upstream URI (scheme http) whose raw path and query are sent as they are
     * @param replacing headers set by the gateway; a client header of the same name (any case) is not sent
     * @param viaHost   this gateway's name in {@code Via}
     */
    static byte[] of(HttpServletRequest request, URI target, Map<String, String> replacing, String viaHost) {
        StringBuilder b = new StringBuilder(512);
        b.append(request.getMethod()).append(' ');
        String path = target.getRawPath();
        b.append(path == null || path.isEmpty() ? "/" : path);
        String query = target.getRawQuery();
        if (query != null) {
            b.append('?').append(query);
        }
        b.append(" HTTP/1.1\r\nHost: ").append(target.getHost());
        int port = target.getPort();
        if (port > 0 && port != 80) {
            b.append(':').append(port);
        }
        b.append("\r\n");

        Set<String> dropped = connectionListed(request);
        Set<String> replaced = new HashSet<>(replacing.size() * 2);
        for (String name : replacing.keySet()) {
            replaced.add(name.toLowerCase(Locale.ROOT));
        }
        String via = null;
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || HOP_BY_HOP.contains(lower) || dropped.contains(lower)
                    || lower.equals(ACCESS_TOKEN) || lower.equals(FORWARDED_PREFIX)
                    || replaced.contains(lower)) {
                continue;
            }
            if (lower.equals("via")) {
                via = joined(request.getHeaders(name));
                continue;
            }
            if (lower.equals("cookie")) {
                List<String> values = new ArrayList<>(2);
                request.getHeaders(name).asIterator().forEachRemaining(values::add);
                for (String v : UpstreamHeaders.requestValues("Cookie", values)) {
                    field(b, "Cookie", v);
                }
                continue;
            }
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                field(b, name, values.nextElement());
            }
        }
        String protocol = request.getProtocol();
        String version = protocol.regionMatches(true, 0, "HTTP/", 0, 5) ? protocol.substring(5) : protocol;
        String hop = version + " " + viaHost;
        field(b, "Via", via == null || via.isBlank() ? hop : via + ", " + hop);
        replacing.forEach((name, value) -> field(b, name, value));
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(name).append(": ");
        // The container's parser refuses CR and LF in values; this keeps a header from ever splitting regardless.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            b.append(c == '\r' || c == '\n' ? ' ' : c);
        }
        b.append("\r\n");
    }

    private static Set<String> connectionListed(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders("Connection");
        if (values == null || !values.hasMoreElements()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        while (values.hasMoreElements()) {
            for (String token : values.nextElement().split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    names.add(t.toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static String joined(Enumeration<String> values) {
        StringBuilder s = new StringBuilder();
        while (values.hasMoreElements()) {
            String v = values.nextElement();
            if (v != null && !v.isBlank()) {
                if (s.length() > 0) {
                    s.append(", ");
                }
                s.append(v.trim());
            }
        }
        return s.toString();
    }
}
