package io.liteboxd.proxy.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client on a raw socket: it completes a real handshake through the gateway and then sends whatever
 * frames a test wants, including invalid ones. It never answers pings on its own, so it can also play a peer that
 * is silently gone.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RawHttp.RawResponse handshake;

    private RawWebSocket(Socket socket, InputStream in, RawHttp.RawResponse handshake) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.handshake = handshake;
    }

    /** Handshakes {@code path} with {@code token}; fails the test unless the gateway answered 101. */
    public static RawWebSocket open(int port, String path, String token) throws IOException {
        return open(port, RawHttp.Request.get(path).webSocket().token(token));
    }

    public static RawWebSocket open(int port, RawHttp.Request handshake) throws IOException {
        return open(port, handshake, 0);
    }

    /** @param receiveBuffer a small SO_RCVBUF keeps a stalled reader from parking megabytes in the kernel */
    public static RawWebSocket open(int port, RawHttp.Request handshake, int receiveBuffer) throws IOException {
        Socket socket = RawHttp.connect(port, receiveBuffer);
        socket.getOutputStream().write(handshake.bytes());
        socket.getOutputStream().flush();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        RawHttp.RawResponse response = RawHttp.read(in, RawHttp.Reading.LENIENT);
        if (response.status() != 101) {
            socket.close();
            throw new AssertionError("expected 101 but got " + response);
        }
        return new RawWebSocket(socket, in, response);
    }

    public RawHttp.RawResponse handshake() {
        return handshake;
    }

    public Socket socket() {
        return socket;
    }

    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        sendRaw(WsFrames.client(fin, opcode, payload));
    }

    public void sendText(String text) throws IOException {
        send(true, WsFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A writer started by {@link #writeUntilStalled}: {@code written} grows while the connection takes bytes. */
    public record Writer(Future<?> task, AtomicLong written) {
    }

    /**
     * Writes 64 KiB binary frames on {@code pool} until {@code limit} bytes went out, and returns once the writes
     * stalled (nothing more taken for three half-second looks in a row, at most a minute) or the writer finished.
     * Closing this socket unblocks a stalled writer.
     */
    public Writer writeUntilStalled(ExecutorService pool, long limit) throws InterruptedException {
        byte[] frame = WsFrames.client(true, WsFrames.BINARY, new byte[64 * 1024]);
        AtomicLong written = new AtomicLong();
        Future<?> task = pool.submit(() -> {
            while (written.get() < limit) {
                sendRaw(frame);
                written.addAndGet(frame.length);
            }
            return null;
        });
        long last = -1;
        for (int still = 0, rounds = 0; still < 3 && rounds < 120 && !task.isDone(); rounds++) {
            Thread.sleep(500);
            long now = written.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return new Writer(task, written);
    }

    /** The next frame within {@code bound}; fails the test if none arrives (a hang). */
    public WsFrames.Frame next(Duration bound) throws IOException {
        socket.setSoTimeout((int) bound.toMillis());
        try {
            return WsFrames.read(in);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within " + bound, e);
        }
    }

    /** The next data frame, answering nothing and skipping control frames other than close. */
    public WsFrames.Frame nextData(Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            WsFrames.Frame f = next(remaining(deadline, bound));
            if (f.opcode() != WsFrames.PING && f.opcode() != WsFrames.PONG) {
                return f;
            }
        }
    }

    /**
     * Reads (and discards) frames until a close frame arrives, within {@code bound}. Fails if the connection ends
     * without one or nothing arrives in time.
     */
    public WsFrames.Frame awaitClose(Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            WsFrames.Frame f = next(remaining(deadline, bound));
            if (f.isClose()) {
                return f;
            }
        }
    }

    /** True if the peer closed the TCP connection (EOF or reset) within {@code bound}, after any frames. */
    public boolean awaitEndOfStream(Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
        return false;
    }

    /** Goes away without a close frame (FIN only). */
    public void vanish() throws IOException {
        socket.close();
    }

    /** Goes away with a TCP RST. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static Duration remaining(long deadline, Duration bound) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("nothing expected arrived within " + bound);
        }
        return Duration.ofNanos(Math.max(left, 1_000_000));
    }
}
