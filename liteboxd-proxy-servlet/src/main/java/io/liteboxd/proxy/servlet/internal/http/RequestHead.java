package io.liteboxd.proxy.servlet.internal.http;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes of the request line and header block the {@link HttpRelay} sends upstream: the target's raw path and
 * query, the fields the {@link io.liteboxd.proxy.internal.header.HeaderPolicy} left, the upstream's {@code Host} unless the
 * policy kept the client's, and the framing of a body of unknown length.
 */
final class RequestHead {

    private RequestHead() {
    }

    /**
     * @param target  the upstream URI ({@code http} or {@code https}) whose raw path and query are sent as they are
     * @param headers the request's fields, already filtered by the header policy
     * @param chunked the body's length is unknown (an HTTP/2 or chunked client): it is sent chunked
     */
    static byte[] of(String method, URI target, HeaderBlock headers, boolean chunked) {
        // Written as bytes straight away: this runs for every proxied request. A typical head is 400-700 bytes: one
        // allocation, no growth.
        Bytes b = new Bytes(1024);
        b.ascii(method).put(' ');
        String path = target.getRawPath();
        b.ascii(path == null || path.isEmpty() ? "/" : path);
        String query = target.getRawQuery();
        if (query != null) {
            b.put('?').ascii(query);
        }
        b.ascii(" HTTP/1.1").crlf();
        if (!headers.contains("Host")) {
            // The policy left the client's Host only where it is preserved; otherwise the upstream's own.
            b.ascii("Host: ").ascii(target.getHost());
            int port = target.getPort();
            if (port > 0 && port != ("https".equals(target.getScheme()) ? 443 : 80)) {
                b.put(':').ascii(Integer.toString(port));
            }
            b.crlf();
        }
        for (int i = 0; i < headers.size(); i++) {
            b.field(headers.name(i), headers.value(i));
        }
        if (chunked) {
            b.field("Transfer-Encoding", "chunked");
        }
        b.crlf();
        return b.toArray();
    }

    /** The end of a chunked body without trailers, the common case: shared, read-only. */
    static final ByteBuffer LAST_CHUNK = ByteBuffer.wrap(new byte[] {'0', '\r', '\n', '\r', '\n'}).asReadOnlyBuffer();

    /** The last chunk of a chunked body: its trailer fields (already filtered), if any, and the final CRLF. */
    static byte[] lastChunk(HeaderBlock trailers) {
        Bytes b = new Bytes(64);
        b.put('0').crlf();
        for (int i = 0; i < trailers.size(); i++) {
            b.field(trailers.name(i), trailers.value(i));
        }
        b.crlf();
        return b.toArray();
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
            return put('\r').put('\n');
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
