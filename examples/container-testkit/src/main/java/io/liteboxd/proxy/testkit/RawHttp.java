package io.liteboxd.proxy.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain {@link Socket}, for what {@link java.net.http.HttpClient} will not do: send an exact request
 * line (encoded slashes, odd header case, hop-by-hop headers) and see the exact status line of a WebSocket
 * handshake, including proof that no {@code 101} was sent. Every read is bounded by {@link #READ_TIMEOUT_MS}.
 */
public final class RawHttp {

    public static final int READ_TIMEOUT_MS = 10_000;
    private static final int MAX_HEAD = 64 * 1024;
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private RawHttp() {
    }

    /** A parsed response. Header and trailer names are lower-case; the body is de-chunked. */
    public record RawResponse(String statusLine, int status, Map<String, List<String>> headers, byte[] body,
                              Map<String, List<String>> trailers) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " body=" + (body.length > 512 ? body.length + " bytes" : bodyText());
        }
    }

    /**
     * Sends {@code method target HTTP/1.1} with {@code Host} and the given header lines (each {@code "Name: value"},
     * sent verbatim), then reads one response. {@code Connection: close} is added unless a header line sets
     * {@code Connection} itself.
     */
    public static RawResponse exchange(URI base, String method, String target, List<String> headerLines, byte[] body)
            throws IOException {
        return exchange(base, hostHeader(base), method, target, headerLines, body);
    }

    /** {@link #exchange(URI, String, String, List, byte[])} with another {@code Host} than {@code base}'s. */
    public static RawResponse exchange(URI base, String host, String method, String target, List<String> headerLines,
                                       byte[] body) throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host).append("\r\n");
        boolean connectionSet = false;
        for (String line : headerLines) {
            head.append(line).append("\r\n");
            connectionSet |= line.toLowerCase(Locale.ROOT).startsWith("connection:");
        }
        if (!connectionSet) {
            head.append("Connection: close\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = connect(base)) {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), method.equals("HEAD"));
        }
    }

    /**
     * Sends a WebSocket opening handshake for {@code target} and reads the answer. A {@code 101} is returned with
     * an empty body (the connection is then dropped); anything else is read in full.
     */
    public static RawResponse webSocketHandshake(URI base, String target, List<String> extraHeaderLines)
            throws IOException {
        return webSocketHandshake(base, hostHeader(base), target, extraHeaderLines);
    }

    /** {@link #webSocketHandshake(URI, String, List)} with another {@code Host} than {@code base}'s. */
    public static RawResponse webSocketHandshake(URI base, String host, String target, List<String> extraHeaderLines)
            throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Upgrade: websocket");
        lines.add("Connection: Upgrade");
        lines.add("Sec-WebSocket-Version: 13");
        lines.add("Sec-WebSocket-Key: " + WEBSOCKET_KEY);
        lines.addAll(extraHeaderLines);
        return exchange(base, host, "GET", target, lines, null);
    }

    /** The fixed handshake key {@link #webSocketHandshake} sends. */
    public static final String WEBSOCKET_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key} (RFC 6455 section 4.2.2). */
    public static String expectedAccept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Socket connect(URI base) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static String hostHeader(URI base) {
        return base.getHost() + ":" + base.getPort();
    }

    static RawResponse read(InputStream in, boolean headRequest) throws IOException {
        String statusLine = readLine(in);
        while (statusLine.isEmpty()) {
            statusLine = readLine(in);
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = readFields(in);
        Map<String, List<String>> trailers = new LinkedHashMap<>();
        byte[] body;
        String te = first(headers, "transfer-encoding");
        String cl = first(headers, "content-length");
        if (headRequest || status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked(in, trailers);
        } else if (cl != null) {
            body = readExactly(in, Long.parseLong(cl.trim()));
        } else {
            body = in.readAllBytes();
        }
        return new RawResponse(statusLine, status, headers, body, trailers);
    }

    private static byte[] readChunked(InputStream in, Map<String, List<String>> trailers) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                trailers.putAll(readFields(in));
                return out.toByteArray();
            }
            out.write(readExactly(in, size));
            if (!readLine(in).isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static byte[] readExactly(InputStream in, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("body too large for RawHttp: " + length);
        }
        byte[] data = in.readNBytes((int) length);
        if (data.length != length) {
            throw new EOFException("body ended after " + data.length + " of " + length + " bytes");
        }
        return data;
    }

    private static Map<String, List<String>> readFields(InputStream in) throws IOException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return fields;
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > MAX_HEAD) {
                throw new IOException("header line longer than " + MAX_HEAD + " bytes");
            }
        }
        throw new EOFException("connection closed before end of line; got: "
                + line.toString(StandardCharsets.ISO_8859_1));
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
