package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.RelaySettings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tunnel between two of Jetty's in-memory endpoints: after a short read a pipe does not read its leg again until the
 * leg reports it readable, and it still sees the end of the stream.
 */
class TunnelPipeTest {

    /** Jetty's in-memory endpoint, counting the reads that reach it (each one a system call on a socket). */
    static final class CountingEndPoint extends ByteArrayEndPoint {
        final AtomicInteger reads = new AtomicInteger();

        CountingEndPoint(Scheduler scheduler) {
            super(scheduler, 0);
        }

        @Override
        public int fill(ByteBuffer buffer) throws IOException {
            reads.incrementAndGet();
            return super.fill(buffer);
        }
    }

    /** Legs attached by the test itself, as a container's half would after the 101. */
    static final class AttachedByTheTest extends TunnelRelay.Factory {
        AttachedByTheTest(RelaySettings settings) {
            super(settings, null);
        }

        @Override
        public String describe() {
            return "test";
        }

        @Override
        public boolean supports(ServletContext context) {
            return true;
        }

        @Override
        protected void upgrade(HttpServletRequest request, HttpServletResponse response, HeaderBlock headers,
                               TunnelRelay.Leg leg) {
            throw new UnsupportedOperationException();
        }
    }

    private final HttpClient httpClient = new HttpClient();
    private CountingEndPoint client;
    private CountingEndPoint upstream;

    @BeforeEach
    void start() throws Exception {
        httpClient.start();
        RelaySettings settings = new RelaySettings(Duration.ZERO, Duration.ofMinutes(1), Duration.ofSeconds(10),
                1 << 20, httpClient);
        TunnelRelay relay = (TunnelRelay) new AttachedByTheTest(settings).newRelay("test", finished -> { });
        client = new CountingEndPoint(httpClient.getScheduler());
        upstream = new CountingEndPoint(httpClient.getScheduler());
        new EndPointLeg(upstream, httpClient.getExecutor(), relay.upstream).onOpen();
        new EndPointLeg(client, httpClient.getExecutor(), relay.client).onOpen();
    }

    @AfterEach
    void stop() throws Exception {
        httpClient.stop();
    }

    @Test
    void afterAShortRead_theNextReadWaitsForReadiness() throws Exception {
        assertThat(client.reads).as("the pipe's first read, which found nothing").hasValue(1);
        for (int i = 0; i < 2; i++) {
            ByteBuffer ping = ControlFrames.ping(true);
            client.addInput(ping.duplicate());
            assertThat(upstream.waitForOutput(10, TimeUnit.SECONDS)).isEqualTo(ping);
        }
        // Each ping was one short read; another read after it would only have found nothing.
        assertThat(client.reads).hasValue(3);
    }

    @Test
    void afterAShortRead_theEndOfTheStreamIsStillSeen() throws Exception {
        ByteBuffer ping = ControlFrames.ping(true);
        client.addInput(ping.duplicate());
        assertThat(upstream.waitForOutput(10, TimeUnit.SECONDS)).isEqualTo(ping);

        client.addInputEOF();
        ByteBuffer close = upstream.waitForOutput(10, TimeUnit.SECONDS);
        assertThat(close.get(0) & 0x0F).as("a close frame").isEqualTo(FrameScanner.CLOSE);
        // Masked towards the upstream: a 2-byte header, the 4-byte key, then the code.
        int code = ((close.get(6) ^ close.get(2)) & 0xFF) << 8 | ((close.get(7) ^ close.get(3)) & 0xFF);
        assertThat(code).as("the client went away").isEqualTo(1001);
        assertThat(BufferUtil.isEmpty(upstream.takeOutput())).isTrue();
    }
}
