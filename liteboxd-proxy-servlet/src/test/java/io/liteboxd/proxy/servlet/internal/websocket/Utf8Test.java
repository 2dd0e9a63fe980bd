package io.liteboxd.proxy.servlet.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "ascii", "h\u00e9llo", "\u4f60\u597d", "\uD83D\uDE00 smile", "mixed \u00e9\u4f60\uD83D\uDE00"})
    void countsEncodedLengthWithoutEncoding(String s) {
        assertThat(Utf8Validator.length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ascii", "h\u00e9llo", "\u4f60\u597d", "\uD83D\uDE00 smile", "\uFFFD", "\u0000"})
    void acceptsValidUtf8EvenWhenSplitAtEveryByte(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Utf8Validator v = new Utf8Validator();
        for (byte b : bytes) {
            assertThat(update(v, ByteBuffer.wrap(new byte[] {b}))).isTrue();
        }
        assertThat(v.endOfMessage()).isTrue();
    }

    @Test
    void refusesInvalidSequences() {
        byte[][] invalid = {
                {(byte) 0xC0, (byte) 0x80},             // overlong NUL
                {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // overlong
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // UTF-16 surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {(byte) 0xF5},                           // never valid
                {(byte) 0x80},                           // lone continuation
                {(byte) 0xC3, (byte) 0x28},              // bad continuation
        };
        for (byte[] bytes : invalid) {
            Utf8Validator v = new Utf8Validator();
            assertThat(update(v, ByteBuffer.wrap(bytes))).as(java.util.Arrays.toString(bytes)).isFalse();
        }
    }

    @Test
    void refusesAMessageThatEndsInsideACharacterAndResetsAfter() {
        Utf8Validator v = new Utf8Validator();
        assertThat(update(v, ByteBuffer.wrap(new byte[] {(byte) 0xE4, (byte) 0xBD}))).isTrue();
        assertThat(v.endOfMessage()).isFalse();
        assertThat(update(v, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)))).isTrue();
        assertThat(v.endOfMessage()).isTrue();
    }

    @Test
    void respectsBufferPositionAndLimitWithoutConsuming() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {(byte) 0xFF, 'a', 'b', (byte) 0xFF});
        buf.position(1).limit(3);
        Utf8Validator v = new Utf8Validator();
        assertThat(update(v, buf)).isTrue();
        assertThat(buf.position()).isEqualTo(1);
    }

    @Test
    void recognisesOnlyItsOwnKeepalivePongs() {
        assertThat(Keepalive.isOwnPong(Keepalive.payload())).isTrue();
        assertThat(Keepalive.isOwnPong(ByteBuffer.wrap("liteboxd-keepalivX".getBytes(StandardCharsets.US_ASCII))))
                .isFalse();
        assertThat(Keepalive.isOwnPong(ByteBuffer.allocate(0))).isFalse();
        assertThat(Keepalive.isOwnPong(null)).isFalse();
    }

    private static boolean update(Utf8Validator v, ByteBuffer bytes) {
        return v.update(bytes, bytes.position(), bytes.limit(), null, 0);
    }
}
