package io.liteboxd.proxy.servlet.websocket.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadWindowTest {

    @Test
    void smallFramesArePipelinedUpToTheFrameLimit() {
        ReadWindow w = new ReadWindow();
        for (int i = 1; i < ReadWindow.MAX_FRAMES; i++) {
            w.sent(10);
            assertThat(w.readMore()).as("frame %d", i).isTrue();
        }
        w.sent(10);
        assertThat(w.readMore()).as("window full").isFalse();
        assertThat(w.idle()).isFalse();
        // The first completion reopens the window and is the one that demands, exactly once.
        assertThat(w.written(10)).isTrue();
        assertThat(w.written(10)).isFalse();
    }

    @Test
    void aLargeFrameClosesTheWindowByBytes() {
        ReadWindow w = new ReadWindow();
        w.sent((int) ReadWindow.MAX_BYTES);
        assertThat(w.readMore()).isFalse();
        assertThat(w.written((int) ReadWindow.MAX_BYTES)).isTrue();
        assertThat(w.idle()).isTrue();
    }

    @Test
    void aCompletionWhileTheWindowIsOpenDoesNotDemandTwice() {
        ReadWindow w = new ReadWindow();
        w.sent(1);
        assertThat(w.readMore()).isTrue();
        assertThat(w.written(1)).isFalse();
        assertThat(w.idle()).isTrue();
    }
}
