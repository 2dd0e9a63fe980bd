package io.liteboxd.proxy.servlet.websocket.jetty;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far reading one leg may run ahead of writing to the other: at most {@link #MAX_FRAMES} frames and
 * {@link #MAX_BYTES} bytes read but not yet written. Decides, for every frame, which of two parties asks Jetty for
 * the next frame, so that exactly one demand is outstanding: the reader right after handing a frame on (window
 * open), or the write completion that reopens a full window.
 */
final class ReadWindow {

    static final int MAX_FRAMES = 16;
    static final long MAX_BYTES = 64 * 1024;

    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean stalled = new AtomicBoolean();

    /** A frame of {@code size} bytes was handed to the other leg. */
    void sent(int size) {
        frames.incrementAndGet();
        bytes.addAndGet(size);
    }

    /** Called by the reader after {@link #sent}: true if it should demand the next frame now. */
    boolean readMore() {
        if (open()) {
            return true;
        }
        stalled.set(true);
        // A write may have completed between open() and set(); whoever clears the flag demands.
        return open() && stalled.compareAndSet(true, false);
    }

    /** A write of {@code size} bytes completed: true if the caller must demand (it reopened a stalled window). */
    boolean written(int size) {
        frames.decrementAndGet();
        bytes.addAndGet(-size);
        return open() && stalled.compareAndSet(true, false);
    }

    /** True when nothing read is waiting to be written. */
    boolean idle() {
        return frames.get() == 0;
    }

    private boolean open() {
        return frames.get() < MAX_FRAMES && bytes.get() < MAX_BYTES;
    }
}
