package io.liteboxd.proxy.reliability.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.x over a plain socket, byte for byte: the request is sent exactly as given (NULs, bare CRs, duplicate
 * headers, HTTP/1.0, absolute-form targets), which no HTTP client library allows. Every read is bounded: a server
 * that does not answer within {@link #READ_BOUND_MS} fails the test as a hang instead of blocking the build.
 */
public final class RawHttp {

    public static final int READ_BOUND_MS = 10_000;
    private static final int MAX_HEAD = 256 * 1024;

    private RawHttp() {
    }

    /** A response, or {@link #closedWithoutResponse()} when the server closed the connection without a status line. */
    public record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {

        public static Response closed() {
            return new Response("", -1, Map.of(), new byte[0]);
        }

        public boolean closedWithoutResponse() {
            return status == -1;
        }

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String text = bodyText();
            return closedWithoutResponse() ? "<closed without a response>"
                    : statusLine + " " + headers + " body=" + (text.length() > 600 ? text.substring(0, 600) + "..." : text);
        }
    }

    /** Builds a request head; nothing is normalised. */
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

        public Request noHost() {
            this.host = false;
            return this;
        }

        /** Adds a header line verbatim ({@code "Name: value"}, may contain any byte). */
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

        /** The header lines of a well-formed WebSocket handshake. */
        public Request webSocket() {
            return header("Upgrade: websocket").header("Connection: Upgrade").header("Sec-WebSocket-Version: 13")
                    .header("Sec-WebSocket-Key: " + WsFrames.KEY);
        }

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

    public static Socket connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** @param receiveBuffer SO_RCVBUF to ask for before connecting (0: the system default) */
    public static Socket connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_BOUND_MS);
        socket.setSoTimeout(READ_BOUND_MS);
        return socket;
    }

    /** Sends the request on a fresh connection and reads one response (a 101 is returned without a body). */
    public static Response exchange(int port, Request request) throws IOException {
        return exchange(port, request.bytes());
    }

    public static Response exchange(int port, byte[] request) throws IOException {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close while a large request is still being written; read what it said.
            }
            boolean head = request.length > 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
            return read(new BufferedInputStream(socket.getInputStream()), head);
        }
    }

    /**
     * Reads one response. A silent server fails with an {@link AssertionError} naming the bound (a hang is a test
     * failure, never a stuck build); a reset or a close before the status line is {@link Response#closed()}.
     */
    public static Response read(InputStream in) throws IOException {
        return read(in, false);
    }

    /** As {@link #read(InputStream)}; a response to HEAD has no body whatever its headers say. */
    public static Response read(InputStream in, boolean headRequest) throws IOException {
        try {
            String statusLine = readLine(in);
            if (statusLine == null) {
                return Response.closed();
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            String line;
            while ((line = readLine(in)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
                }
            }
            byte[] body;
            String te = first(headers, "transfer-encoding");
            String cl = first(headers, "content-length");
            if (headRequest || status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200)) {
                body = new byte[0];
            } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = readChunked(in);
            } else if (cl != null) {
                body = in.readNBytes(Integer.parseInt(cl.trim()));
            } else {
                body = readToEnd(in);
            }
            return new Response(statusLine, status, headers, body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within " + READ_BOUND_MS + " ms (the server hung)", e);
        } catch (java.net.SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return Response.closed();
            }
            throw e;
        }
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = readLine(in);
            if (size == null) {
                return out.toByteArray();
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                String l;
                while ((l = readLine(in)) != null && !l.isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            readLine(in);
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
        } catch (java.net.SocketException e) {
            // a reset after the body is still the end of the body
        }
        return out.toByteArray();
    }

    /** A line without its CRLF, or null at end of stream before any byte. */
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
                throw new IOException("line longer than " + MAX_HEAD + " bytes");
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
