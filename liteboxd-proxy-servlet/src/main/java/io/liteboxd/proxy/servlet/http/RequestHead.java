package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.servlet.ForwardedHeaders;
import io.liteboxd.proxy.servlet.UpstreamHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

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

    /**
     * Request headers never copied from the client: Jetty's hop-by-hop set, {@code Host} (the upstream's is sent),
     * the gateway credential and a client's claim of a mount prefix.
     */
    private static final String[] NOT_COPIED = {"connection", "keep-alive", "proxy-authorization",
        "proxy-authenticate", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host",
        AccessTokens.HEADER, ForwardedHeaders.PREFIX};

    private RequestHead() {
    }

    /**
     * @param target    the upstream URI (scheme http) whose raw path and query are sent as they are
     * @param replacing headers set by the gateway; a client header of the same name (any case) is not sent
     * @param viaHost   this gateway's name in {@code Via}
     */
    static byte[] of(HttpServletRequest request, URI target, Map<String, String> replacing, String viaHost) {
        return of(request.getMethod(), request.getProtocol(), new ServletHeaders(request), target, replacing, viaHost);
    }

    /** The client's request headers, grouped by name as the servlet API presents them. */
    interface ClientHeaders {
        /** Each name once, in order of first appearance. */
        Iterable<String> names();

        /** Every value of {@code name} (any case), in order. */
        List<String> values(String name);
    }

    private record ServletHeaders(HttpServletRequest request) implements ClientHeaders {
        @Override
        public Iterable<String> names() {
            return Collections.list(request.getHeaderNames());
        }

        @Override
        public List<String> values(String name) {
            Enumeration<String> values = request.getHeaders(name);
            return values == null ? List.of() : Collections.list(values);
        }
    }

    static byte[] of(String method, String protocol, ClientHeaders headers, URI target, Map<String, String> replacing,
                     String viaHost) {
        // Written as bytes straight away, and header names matched without lower-casing or hashing them: this runs
        // for every proxied request, and a string builder plus sets of lower-cased names was a tenth of its cost.
        // A typical head is 400-700 bytes: one allocation, no growth.
        Bytes b = new Bytes(1024);
        String[] replaced = replacing.keySet().toArray(new String[0]);
        b.ascii(method).put(' ');
        String path = target.getRawPath();
        b.ascii(path == null || path.isEmpty() ? "/" : path);
        String query = target.getRawQuery();
        if (query != null) {
            b.put('?').ascii(query);
        }
        b.ascii(" HTTP/1.1").crlf().ascii("Host: ").ascii(target.getHost());
        int port = target.getPort();
        if (port > 0 && port != 80) {
            b.put(':').ascii(Integer.toString(port));
        }
        b.crlf();

        String[] connectionListed = connectionListed(headers.values("Connection"));
        String via = null;
        for (String name : headers.names()) {
            if (isAny(name, NOT_COPIED) || isAny(name, connectionListed)
                    || isAny(name, replaced)) {
                continue;
            }
            if (name.equalsIgnoreCase("via")) {
                via = joined(headers.values(name));
                continue;
            }
            if (name.equalsIgnoreCase("cookie")) {
                for (String v : UpstreamHeaders.requestValues("Cookie", headers.values(name))) {
                    b.field("Cookie", v);
                }
                continue;
            }
            for (String value : headers.values(name)) {
                b.field(name, value);
            }
        }
        String version = protocol.regionMatches(true, 0, "HTTP/", 0, 5) ? protocol.substring(5) : protocol;
        String hop = version + " " + viaHost;
        b.field("Via", via == null || via.isBlank() ? hop : via + ", " + hop);
        replacing.forEach(b::field);
        b.crlf();
        return b.toArray();
    }

    private static boolean isAny(String name, String[] names) {
        for (String n : names) {
            if (n.length() == name.length() && n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Header names the client's {@code Connection} header lists (hop-by-hop by declaration); usually none. */
    private static String[] connectionListed(List<String> values) {
        if (values.isEmpty()) {
            return new String[0];
        }
        List<String> names = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names.toArray(new String[0]);
    }

    private static String joined(List<String> values) {
        StringBuilder s = new StringBuilder();
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                if (s.length() > 0) {
                    s.append(", ");
                }
                s.append(v.trim());
            }
        }
        return s.toString();
    }

    /** A growable ISO-8859-1 byte buffer. */
    private static final class Bytes {
        private byte[] bytes;
        private int length;

        Bytes(int capacity) {
            bytes = new byte[capacity];
        }

        Bytes put(char c) {
            ensure(1);
            bytes[length++] = (byte) c;
            return this;
        }

        /** Characters above 0xFF become '?' (as Jetty's generator does); CR and LF a space, so no header splits. */
        Bytes ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                bytes[length++] = c == '\r' || c == '\n' ? (byte) ' ' : c > 0xFF ? (byte) '?' : (byte) c;
            }
            return this;
        }

        Bytes crlf() {
            ensure(2);
            bytes[length++] = '\r';
            bytes[length++] = '\n';
            return this;
        }

        void field(String name, String value) {
            if (value != null) {
                ascii(name).put(':').put(' ').ascii(value).crlf();
            }
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, length);
        }
    }
}
