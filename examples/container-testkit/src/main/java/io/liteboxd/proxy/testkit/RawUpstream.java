package io.liteboxd.proxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving sandbox app on a plain {@link ServerSocket}: each accepted connection is handed to a
 * {@link Behaviour} on its own thread, so a test can script exactly when bytes, FINs and RSTs happen. It records the
 * raw request head of every connection (what the gateway really sent, byte for byte).
 */
public final class RawUpstream implements AutoCloseable {

    /** What the upstream does with one accepted connection. The socket is closed afterwards unless kept. */
    @FunctionalInterface
    public interface Behaviour {
        void handle(Socket socket, RawUpstream upstream) throws Exception;
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-upstream");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private RawUpstream(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    }

    public static RawUpstream start(Behaviour behaviour) throws IOException {
        RawUpstream u = new RawUpstream(behaviour);
        u.threads.execute(u::acceptLoop);
        return u;
    }

    /**
     * A port on which nothing listens: bound and released at once. Another process could take it in between, but
     * on loopback within one test that has not been seen to happen.
     */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Raw request heads (request line + headers, ISO-8859-1) read by {@link #readHead}, in arrival order. */
    public List<String> heads() {
        return List.copyOf(heads);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(s);
            threads.execute(() -> {
                try {
                    behaviour.handle(s, this);
                } catch (Exception e) {
                    // A behaviour ends by the peer going away as often as by itself; nothing to report.
                } finally {
                    // Behaviours that must keep the socket open block inside handle() until the test ends.
                    closeQuietly(s);
                }
            });
        }
    }

    /** Reads up to the blank line that ends a request head, records it and returns it. */
    public String readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection ended inside the request head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        heads.add(text);
        return text;
    }

    /** Reads a WebSocket handshake and answers 101 with the right accept key. */
    public String acceptWebSocket(Socket socket) throws IOException {
        String head = readHead(socket);
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("no Sec-WebSocket-Key in " + head);
        }
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsFrames.acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return head;
    }

    /** Answers a fixed small 200 with a body. */
    public static void answerOk(Socket socket) throws IOException {
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** Ends the connection with a TCP RST instead of a FIN. */
    public static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Blocks while the test runs, keeping the connection open and silent, discarding whatever arrives. */
    public void holdSilently(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        while (!closed && in.read(buf) >= 0) {
            // discard
        }
    }

    /** Blocks while the test runs, keeping the connection open and reading nothing at all (a stalled peer). */
    public void holdWithoutReading() throws InterruptedException {
        while (!closed) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing during teardown
        }
    }
}
