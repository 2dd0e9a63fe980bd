package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.servlet.internal.websocket.Keepalive;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.FrameScanner.Outcome;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tunnel's in-place frame follower, on hand-built RFC 6455 frames. */
class FrameScannerTest {

    private static final int HOLD = 1024;
    private static final long MAX = 4096;

    private final FrameScanner fromClient = new FrameScanner(true, HOLD, MAX);
    private final FrameScanner fromUpstream = new FrameScanner(false, HOLD, MAX);

    @Test
    void wholeFramesAreReleasedAndCounted() {
        ByteBuffer buf = buffer(frame(true, FrameScanner.TEXT, utf8("héllo"), true),
                frame(true, FrameScanner.BINARY, new byte[300], true));
        assertThat(fromClient.scan(buf)).isEqualTo(Outcome.MORE);
        assertThat(fromClient.forwardTo).isEqualTo(buf.limit());
        assertThat(fromClient.messages).isEqualTo(2);
        assertThat(fromClient.payloadBytes).isEqualTo(utf8("héllo").length + 300);
        assertThat(fromClient.atFrameBoundary()).isTrue();
    }

    @Test
    void anIncompleteSmallFrameIsHeldBack() {
        byte[] first = frame(true, FrameScanner.TEXT, utf8("one"), false);
        byte[] second = frame(true, FrameScanner.TEXT, utf8("two, not all here yet"), false);
        ByteBuffer buf = buffer(first, java.util.Arrays.copyOf(second, 10));
        assertThat(fromUpstream.scan(buf)).isEqualTo(Outcome.MORE);
        assertThat(fromUpstream.forwardTo).as("only the complete frame").isEqualTo(first.length);
        assertThat(fromUpstream.atFrameBoundary()).isTrue();
    }

    @Test
    void aFrameLargerThanTheBufferStreamsThrough() {
        byte[] big = frame(true, FrameScanner.BINARY, new byte[3000], false);
        ByteBuffer head = buffer(java.util.Arrays.copyOf(big, 1000));
        assertThat(fromUpstream.scan(head)).isEqualTo(Outcome.MORE);
        assertThat(fromUpstream.forwardTo).isEqualTo(1000);
        assertThat(fromUpstream.atFrameBoundary()).isFalse();
        ByteBuffer rest = buffer(java.util.Arrays.copyOfRange(big, 1000, big.length));
        assertThat(fromUpstream.scan(rest)).isEqualTo(Outcome.MORE);
        assertThat(fromUpstream.atFrameBoundary()).isTrue();
        assertThat(fromUpstream.messages).isEqualTo(1);
        assertThat(fromUpstream.payloadBytes).isEqualTo(3000);
    }

    @Test
    void invalidUtf8InAMaskedTextFrameIsACleanViolation() {
        byte[] ok = frame(true, FrameScanner.TEXT, utf8("fine"), true);
        ByteBuffer buf = buffer(ok, frame(true, FrameScanner.TEXT, new byte[] {(byte) 0xC3, 0x28}, true));
        assertThat(fromClient.scan(buf)).isEqualTo(Outcome.VIOLATION);
        assertThat(fromClient.violation.code()).isEqualTo(1007);
        assertThat(fromClient.violation.clean()).isTrue();
        assertThat(fromClient.forwardTo).as("up to the offending frame").isEqualTo(ok.length);
        assertThat(fromClient.atFrameBoundary()).isTrue();
    }

    @Test
    void invalidUtf8AfterPartOfAStreamedFrameLeftIsNotClean() {
        byte[] text = new byte[2000];
        java.util.Arrays.fill(text, (byte) 'a');
        text[1500] = (byte) 0xFF;
        byte[] big = frame(true, FrameScanner.TEXT, text, false);
        assertThat(fromUpstream.scan(buffer(java.util.Arrays.copyOf(big, 1000)))).isEqualTo(Outcome.MORE);
        assertThat(fromUpstream.scan(buffer(java.util.Arrays.copyOfRange(big, 1000, big.length))))
                .isEqualTo(Outcome.VIOLATION);
        assertThat(fromUpstream.violation.code()).isEqualTo(1007);
        assertThat(fromUpstream.violation.clean()).isFalse();
    }

    @Test
    void textEndingInsideACharacterIsInvalid() {
        ByteBuffer buf = buffer(frame(false, FrameScanner.TEXT, new byte[] {'a', (byte) 0xE2, (byte) 0x82}, true),
                frame(true, FrameScanner.CONTINUATION, new byte[] {0x28}, true));
        assertThat(fromClient.scan(buf)).isEqualTo(Outcome.VIOLATION);
        assertThat(fromClient.violation.code()).isEqualTo(1007);
    }

    @Test
    void theGatewaysOwnPongIsElidedAndOthersAreRelayed() {
        byte[] before = frame(true, FrameScanner.BINARY, new byte[] {1, 2}, true);
        byte[] ownPong = frame(true, FrameScanner.PONG, Keepalive.payloadBytes(), true);
        byte[] otherPong = frame(true, FrameScanner.PONG, utf8("app"), true);
        ByteBuffer buf = buffer(before, ownPong, otherPong);
        assertThat(fromClient.scan(buf)).isEqualTo(Outcome.OWN_PONG);
        assertThat(fromClient.forwardTo).isEqualTo(before.length);
        assertThat(fromClient.consumedTo).isEqualTo(before.length + ownPong.length);
        buf.position(fromClient.consumedTo);
        assertThat(fromClient.scan(buf)).isEqualTo(Outcome.MORE);
        assertThat(fromClient.forwardTo).isEqualTo(buf.limit());
    }

    @Test
    void aCloseFrameEndsTheScanWithItsCode() {
        byte[] close = frame(true, FrameScanner.CLOSE, closePayload(4001, "bye"), false);
        ByteBuffer buf = buffer(close, frame(true, FrameScanner.TEXT, utf8("after"), false));
        assertThat(fromUpstream.scan(buf)).isEqualTo(Outcome.CLOSE);
        assertThat(fromUpstream.closeCode).isEqualTo(4001);
        assertThat(fromUpstream.forwardTo).isEqualTo(close.length);
    }

    @Test
    void protocolViolationsAreRefusedBeforeAnyOfTheFrameLeaves() {
        assertViolation(fromClient, frame(true, FrameScanner.TEXT, utf8("x"), false), 1002);
        assertViolation(new FrameScanner(false, HOLD, MAX), frame(true, FrameScanner.TEXT, utf8("x"), true), 1002);
        assertViolation(new FrameScanner(true, HOLD, MAX), frame(true, 0x3, utf8("x"), true), 1002);
        assertViolation(new FrameScanner(true, HOLD, MAX), frame(false, FrameScanner.PING, utf8("x"), true), 1002);
        assertViolation(new FrameScanner(true, HOLD, MAX), frame(true, FrameScanner.PING, new byte[126], true), 1002);
        assertViolation(new FrameScanner(true, HOLD, MAX), frame(true, FrameScanner.CONTINUATION, utf8("x"), true),
                1002);
        assertViolation(new FrameScanner(true, HOLD, MAX), frame(true, FrameScanner.CLOSE, new byte[] {3}, true), 1002);
        assertViolation(new FrameScanner(true, HOLD, MAX),
                frame(true, FrameScanner.CLOSE, closePayload(1005, ""), true), 1002);
        byte[] rsv = frame(true, FrameScanner.TEXT, utf8("x"), true);
        rsv[0] |= 0x40;
        assertViolation(new FrameScanner(true, HOLD, MAX), rsv, 1002);
    }

    @Test
    void aMessageOverTheLimitIsRefusedAtTheFrameThatCrossesIt() {
        byte[] first = frame(false, FrameScanner.BINARY, new byte[3000], true);
        byte[] second = frame(true, FrameScanner.CONTINUATION, new byte[1097], true);
        FrameScanner scanner = new FrameScanner(true, 8192, MAX);
        ByteBuffer buf = buffer(first, second);
        assertThat(scanner.scan(buf)).isEqualTo(Outcome.VIOLATION);
        assertThat(scanner.violation.code()).isEqualTo(1009);
        assertThat(scanner.forwardTo).isEqualTo(first.length);

        FrameScanner exact = new FrameScanner(true, 8192, MAX);
        ByteBuffer atLimit = buffer(first, frame(true, FrameScanner.CONTINUATION, new byte[1096], true));
        assertThat(exact.scan(atLimit)).isEqualTo(Outcome.MORE);
        assertThat(exact.messages).isEqualTo(1);
    }

    private static void assertViolation(FrameScanner scanner, byte[] frame, int code) {
        ByteBuffer buf = buffer(frame);
        assertThat(scanner.scan(buf)).as("outcome of %s", java.util.HexFormat.of().formatHex(frame))
                .isEqualTo(Outcome.VIOLATION);
        assertThat(scanner.violation.code()).isEqualTo(code);
        assertThat(scanner.violation.clean()).isTrue();
        assertThat(scanner.forwardTo).isZero();
    }

    // ---- frames ----

    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >> shift));
            }
        }
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    private static byte[] closePayload(int code, String reason) {
        byte[] text = utf8(reason);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return payload;
    }

    private static ByteBuffer buffer(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
