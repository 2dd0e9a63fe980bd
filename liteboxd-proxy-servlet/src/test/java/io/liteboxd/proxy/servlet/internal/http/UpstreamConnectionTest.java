package io.liteboxd.proxy.servlet.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The upstream connection against a real upstream socket, with a client side that is busy after every piece of the
 * body, as a slow client is: each piece pauses the connection until the client side resumes it from another thread.
 * A body of announced length must end when its last byte has been taken, although no further byte arrives to wake
 * the parser (a download through Tomcat stalled until the request timeout that way).
 */
class UpstreamConnectionTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ExecutorService clientThreads = Executors.newSingleThreadExecutor();
    private HttpRelay relay;

    @BeforeEach
    void start() throws Exception {
        // Far beyond BOUND: a stalled exchange ends only by this timeout, and the test must not wait for it.
        relay = new HttpRelay(ProxyConfig.builder().requestTimeout(Duration.ofMinutes(2)).build(), null,
                Optional.empty(), null, ProxyListener.NONE);
    }

    @AfterEach
    void stop() {
        relay.close();
        clientThreads.shutdownNow();
    }

    @ParameterizedTest(name = "{0} bytes, sent in pieces of {1}, client busy after every piece: {2}")
    @CsvSource({"1, 1, true", "5000, 5000, true", "100000, 100000, true", "100000, 7000, true",
            "300000, 65536, true", "300000, 65536, false"})
    void bodyOfAnnouncedLengthEndsWithItsLastByte(int length, int piece, boolean busy) throws Exception {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> answerOnce(upstream, body, piece));
            RecordingClient exchange = new RecordingClient(relay, upstream.getLocalPort(), busy);
            exchange.sendRequest();
            exchange.ended.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(exchange.status).isEqualTo(200);
            assertThat(exchange.received.toByteArray()).isEqualTo(body);
            assertThat(served).as("the upstream holds the connection open after its answer").isNotDone();
        }
    }

    /** Reads one request head, answers with {@code body} written in pieces, then holds the connection open. */
    private static void answerOnce(ServerSocket upstream, byte[] body, int piece) {
        try (Socket s = upstream.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("gateway closed before its request head ended");
                }
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int off = 0; off < body.length; off += piece) {
                out.write(body, off, Math.min(piece, body.length - off));
                out.flush();
            }
            // Kept alive: the end of the body must be found from its length, not from the close.
            in.read();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** A client side that keeps what it is given and, when busy, resumes the connection from another thread. */
    private final class RecordingClient extends PooledExchange {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final boolean busy;
        int status;

        RecordingClient(HttpRelay relay, int port, boolean busy) {
            super(relay, admission(port), "GET", new HeaderBlock(),
                    new HeaderContext(admission(port), "/api/v1/sandbox/s1/port/" + port, "127.0.0.1",
                            false, null, 8080, "test-request", "HTTP/1.1", false), "", 0);
            this.busy = busy;
        }

        @Override
        protected void setStatus(int code) {
            status = code;
        }

        @Override
        protected void addHeader(String name, String value) {
        }

        @Override
        protected int gatherLimit() {
            return 0;
        }

        @Override
        protected void enableTrailers() {
        }

        @Override
        protected ByteBuffer readBody() {
            return END;
        }

        @Override
        protected boolean headComplete(boolean gathered) {
            return busyUntilResumed();
        }

        @Override
        protected boolean writeContent(ByteBuffer content) {
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            received.writeBytes(bytes);
            return busyUntilResumed();
        }

        private boolean busyUntilResumed() {
            if (!busy) {
                return false;
            }
            waiting = true;
            clientThreads.execute(this::resumeUpstream);
            return true;
        }

        @Override
        protected void endResponse() {
            ended.complete(null);
        }

        @Override
        protected boolean isCommitted() {
            return status != 0;
        }

        @Override
        protected void endWithError(ProxyException error) {
            ended.completeExceptionally(new AssertionError("ended with " + error.status()));
        }

        @Override
        protected void endAborted(Throwable cause) {
            ended.completeExceptionally(new AssertionError("aborted", cause));
        }

        @Override
        protected void endClientGone(Throwable failure) {
            ended.completeExceptionally(new AssertionError("client gone", failure));
        }

    }

    private static Admission admission(int port) {
        return new Admission(new SandboxRoute("/api/v1/sandbox", "s1", port, "/download", null),
                new Sandbox("s1", "127.0.0.1", true, Set.of()),
                new UpstreamTarget(URI.create("http://127.0.0.1:" + port + "/download")), TokenSource.HEADER, null, null,
                false, false);
    }
}
