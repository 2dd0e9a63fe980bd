package io.liteboxd.proxy.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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
 * line (encoded slashes, odd header case, hop-by-hop headers, NULs, bare CRs, HTTP/1.0, absolute-form targets) and
 * see the exact status line of a WebSocket handshake, including proof that no {@code 101} was sent. Every read is
 * bounded by {@link #READ_TIMEOUT_MS}.
 *
 * <p>One response reader, {@link #read(InputStream, Reading, boolean)}, in two {@link Reading}s:
 * {@link #exchange(URI, String, String, List, byte[])} reads {@link Reading#STRICT STRICT}ly, for a well-formed
 * request whose answer must be well-formed, and {@link Request} with {@link #exchange(int, Request)} reads
 * {@link Reading#LENIENT LENIENT}ly, for bad input.
 */
public final class RawHttp {

    public static final int READ_TIMEOUT_MS = 10_000;
    private static final int MAX_HEAD = 256 * 1024;
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private RawHttp() {
    }

    /** How {@link #read(InputStream, Reading, boolean)} takes an answer that is not a well-formed, complete response. */
    public enum Reading {
        /** Anything but a well-formed, complete response is an {@link IOException}. */
        STRICT,
        /**
         * A server that closes or resets before the status line is a result ({@link RawResponse#closed()}), a body
         * cut short is returned as far as it came, malformed header lines are skipped, and silence fails the test
         * with an {@link AssertionError} naming the bound (a hang is a test failure, never a stuck build).
         */
        LENIENT
    }

    /** A parsed response. Header and trailer names are lower-case; the body is de-chunked. */
    public record RawResponse(String statusLine, int status, Map<String, List<String>> headers, byte[] body,
                              Map<String, List<String>> trailers) {

        /** The server closed or reset the connection before a status line. */
        public static RawResponse closed() {
            return new RawResponse("", -1, Map.of(), new byte[0], Map.of());
        }

        public boolean closedWithoutResponse() {
            return status == -1;
        }

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return closedWithoutResponse() ? "<closed without a response>"
                    : statusLine + " " + headers + " body=" + (body.length > 512 ? body.length + " bytes" : bodyText());
        }
    }

    /** A request head built line by line for {@link #exchange(int, Request)}; nothing is normalised. */
    public static final class Request {
        private final String method;
        private final String target;
        private String version = "HTTP/1.1";
        private boolean host = true;
        private boolean close = true;
        private final List<String> lines = new ArrayList<>();
        private byte[] body;

        private Request(String method, String target) {
            this.method = method;
            this.target = target;
        }

        public static Request of(String method, String target) {
            return new Request(method, target);
        }

        public static Request get(String target) {
            return new Request("GET", target);
        }

        public Request version(String v) {
            this.version = v;
            return this;
        }

        /** Sends no {@code Host} header (otherwise {@code Host: 127.0.0.1}). */
        public Request noHost() {
            this.host = false;
            return this;
        }

        /**
         * Adds a header line verbatim ({@code "Name: value"}, may contain any byte). {@code Connection: close} is
         * added unless a line sets {@code Connection} itself.
         */
        public Request header(String line) {
            lines.add(line);
            if (line.regionMatches(true, 0, "Connection:", 0, 11)) {
                close = false;
            }
            return this;
        }

        public Request token(String token) {
            return header("X-Access-Token: " + token);
        }

        /** The header lines of a well-formed WebSocket handshake, with {@link #WEBSOCKET_KEY}. */
        public Request webSocket() {
            return header("Upgrade: websocket").header("Connection: Upgrade").header("Sec-WebSocket-Version: 13")
                    .header("Sec-WebSocket-Key: " + WEBSOCKET_KEY);
        }

        /** A body, sent after a {@code Content-Length} header. */
        public Request body(byte[] b) {
            this.body = b;
            return this;
        }

        public byte[] bytes() {
            StringBuilder sb = new StringBuilder();
            sb.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
            if (host) {
                sb.append("Host: 127.0.0.1\r\n");
            }
            for (String l : lines) {
                sb.append(l).append("\r\n");
            }
            if (close) {
                sb.append("Connection: close\r\n");
            }
            if (body != null) {
                sb.append("Content-Length: ").append(body.length).append("\r\n");
            }
            sb.append("\r\n");
            byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            if (body == null) {
                return head;
            }
            byte[] all = new byte[head.length + body.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }

        @Override
        public String toString() {
            return new String(bytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * One kept-alive client connection, for tests about connections rather than requests (limits, slow clients):
     * each {@link #read()} takes exactly one response off the stream, so several can follow on one socket.
     */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        /** Connects to {@code base}'s host and port. */
        public static Connection open(URI base) throws IOException {
            return open(base, null);
        }

        /** @param from the local address to connect from ({@code 127.0.0.2} is another client on loopback), or null */
        public static Connection open(URI base, String from) throws IOException {
            Socket socket = new Socket();
            try {
                if (from != null) {
                    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                }
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), READ_TIMEOUT_MS);
                socket.setSoTimeout(READ_TIMEOUT_MS);
                return new Connection(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** Sends {@code text} as ISO-8859-1 bytes, verbatim: a whole request, or any part of one. */
        public void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** Reads one response {@link Reading#LENIENT LENIENT}ly. */
        public RawResponse read() throws IOException {
            return RawHttp.read(in, Reading.LENIENT);
        }

        public RawResponse exchange(String request) throws IOException {
            send(request);
            return read();
        }

        /**
         * True if the server closes (or resets) this connection without a byte within {@code millis}; false if it
         * answers or keeps it open.
         */
        public boolean closedWithoutAnswer(int millis) throws IOException {
            socket.setSoTimeout(millis);
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            } finally {
                socket.setSoTimeout(READ_TIMEOUT_MS);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A connection to {@code 127.0.0.1:port} with every read bounded by {@link #READ_TIMEOUT_MS}. */
    public static Socket connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** @param receiveBuffer SO_RCVBUF to ask for before connecting (0: the system default) */
    public static Socket connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    /** Sends the request on a fresh connection to {@code 127.0.0.1:port} and reads one response leniently. */
    public static RawResponse exchange(int port, Request request) throws IOException {
        return exchange(port, request.bytes());
    }

    /** Sends these exact bytes on a fresh connection and reads one response {@link Reading#LENIENT LENIENT}ly. */
    public static RawResponse exchange(int port, byte[] request) throws IOException {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close while a large request is still being written; read what it said.
            }
            boolean head = request.length > 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
            return read(new BufferedInputStream(socket.getInputStream()), Reading.LENIENT, head);
        }
    }

    /** Reads one response, not to a HEAD request. */
    public static RawResponse read(InputStream in, Reading reading) throws IOException {
        return read(in, reading, false);
    }

    /**
     * Reads one response off {@code in}: the status line, the header fields, and the body they frame (de-chunked,
     * with its trailers); a {@code 1xx} answer is returned on its own, without a body.
     *
     * @param headRequest the request was HEAD: no body follows whatever the headers say
     */
    public static RawResponse read(InputStream in, Reading reading, boolean headRequest) throws IOException {
        if (reading == Reading.STRICT) {
            return parse(in, headRequest, false);
        }
        try {
            return parse(in, headRequest, true);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within " + READ_TIMEOUT_MS + " ms (the server hung)", e);
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return RawResponse.closed();
            }
            throw e;
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
            return read(new BufferedInputStream(socket.getInputStream()), Reading.STRICT, method.equals("HEAD"));
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

    private static RawResponse parse(InputStream in, boolean headRequest, boolean lenient) throws IOException {
        String statusLine = readLine(in, lenient);
        if (statusLine == null) {
            return RawResponse.closed();
        }
        while (statusLine.isEmpty()) {
            statusLine = readLine(in);
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = readFields(in, lenient);
        Map<String, List<String>> trailers = new LinkedHashMap<>();
        byte[] body;
        String te = first(headers, "transfer-encoding");
        String cl = first(headers, "content-length");
        if (headRequest || status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked(in, trailers, lenient);
        } else if (cl != null) {
            body = lenient ? in.readNBytes(Integer.parseInt(cl.trim())) : readExactly(in, Long.parseLong(cl.trim()));
        } else {
            body = lenient ? readToEnd(in) : in.readAllBytes();
        }
        return new RawResponse(statusLine, status, headers, body, trailers);
    }

    private static byte[] readChunked(InputStream in, Map<String, List<String>> trailers, boolean lenient)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, lenient);
            if (sizeLine == null) {
                return out.toByteArray();
            }
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                trailers.putAll(readFields(in, lenient));
                return out.toByteArray();
            }
            out.write(lenient ? in.readNBytes((int) size) : readExactly(in, size));
            String end = readLine(in, lenient);
            if (!lenient && !end.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // a reset after the body is still the end of the body
        }
        return out.toByteArray();
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

    private static Map<String, List<String>> readFields(InputStream in, boolean lenient) throws IOException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in, lenient)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                if (lenient) {
                    continue;
                }
                throw new IOException("malformed header line: " + line);
            }
            fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return fields;
    }

    /** One line without its CRLF, strictly: the stream ending first is an {@link EOFException}. */
    static String readLine(InputStream in) throws IOException {
        return readLine(in, false);
    }

    /** A line without its CRLF. At end of stream: leniently the partial line, or null before any byte. */
    private static String readLine(InputStream in, boolean lenient) throws IOException {
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
        if (lenient) {
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
        throw new EOFException("connection closed before end of line; got: "
                + line.toString(StandardCharsets.ISO_8859_1));
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
