package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.Test;

/** A tunnel leg does not read a socket again after a short read until the selector says there is more. */
class EndPointLegTest {

    /** Jetty's in-memory endpoint, counting the reads that reach it (each one a system call on a socket). */
    static final class CountingEndPoint extends ByteArrayEndPoint {
        int reads;

        @Override
        public int fill(ByteBuffer buffer) throws IOException {
            reads++;
            return super.fill(buffer);
        }
    }

    private final CountingEndPoint endPoint = new CountingEndPoint();
    private final EndPointLeg leg = new EndPointLeg(endPoint, Runnable::run, mock(TunnelRelay.Leg.class));

    @Test
    void afterAShortRead_theNextReadWaitsForReadiness() throws IOException {
        ByteBuffer buffer = BufferUtil.allocate(64);
        endPoint.addInput("hello");

        assertEquals(5, leg.fill(buffer));
        endPoint.addInput("more");
        assertEquals(0, leg.fill(buffer), "a short read drained the socket: no second read before readiness");
        assertEquals(1, endPoint.reads);

        leg.onFillable();
        assertEquals(4, leg.fill(buffer));
        assertEquals("hellomore", BufferUtil.toString(buffer, StandardCharsets.US_ASCII));
        assertEquals(2, endPoint.reads);
    }

    @Test
    void afterAFullRead_theSocketIsReadAgain() throws IOException {
        ByteBuffer buffer = BufferUtil.allocate(4);
        endPoint.addInput("abcdefgh");

        assertEquals(4, leg.fill(buffer));
        BufferUtil.clear(buffer);
        assertEquals(4, leg.fill(buffer), "a read that filled the buffer may have left bytes behind");
        assertEquals(2, endPoint.reads);
    }

    @Test
    void aReadThatFindsNothing_doesNotStopTheNext() throws IOException {
        ByteBuffer buffer = BufferUtil.allocate(64);

        assertEquals(0, leg.fill(buffer));
        endPoint.addInput("x");
        assertEquals(1, leg.fill(buffer));
        assertEquals(2, endPoint.reads);
    }

    @Test
    void theEndOfTheStream_isSeenAfterReadiness() throws IOException {
        ByteBuffer buffer = BufferUtil.allocate(64);
        endPoint.addInput("bye");
        assertEquals(3, leg.fill(buffer));

        endPoint.addInputEOF();
        leg.onFillInterestedFailed(new IOException("closed"));
        assertEquals(-1, leg.fill(buffer));
    }
}
