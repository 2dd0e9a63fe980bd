package io.liteboxd.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One client connection on a plain socket, for what an HTTP client library will not send or will not show. */
final class RawClient implements AutoCloseable {

    static final int READ_TIMEOUT_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, lower-case head, body. */
    record Answer(int status, String head, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private final Socket socket;

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    static RawClient connect(URI gateway) throws IOException {
        return connect(gateway, null);
    }

    /** @param from the local address to connect from ({@code 127.0.0.2} is another client on loopback), or null */
    static RawClient connect(URI gateway, String from) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        socket.connect(new InetSocketAddress(gateway.getHost(), gateway.getPort()), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return new RawClient(socket);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Sends {@code request} and reads one response, sized by its Content-Length. */
    Answer exchange(String request) throws IOException {
        send(request);
        return read();
    }

    Answer read() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(text.substring(9, 12));
        String lower = text.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
        byte[] body = in.readNBytes(length);
        return new Answer(status, lower, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * True if the gateway closes (or resets) this connection without a byte within {@code millis}; false if it
     * answers or keeps it open.
     */
    boolean closedWithoutAnswer(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    /** Whether the gateway has closed the connection: an attempt to read gets end of stream or a reset. */
    boolean isClosedByPeer(int waitMillis) throws IOException {
        return closedWithoutAnswer(waitMillis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
