package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.observe.WebSocketSessionEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one relay carried and how it ended, for the session event. Counters are written by the two serial delivery
 * chains (one per direction); the first close recorded wins.
 */
public final class RelayStats {

    /** Who ended a session. */
    public enum Side {
        CLIENT, UPSTREAM, GATEWAY;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record FirstClose(Side side, int code) {
    }

    private final long startNanos = System.nanoTime();
    private final LongAdder messagesToUpstream = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder messagesToClient = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final AtomicReference<FirstClose> firstClose = new AtomicReference<>();

    /** Adds what was carried towards the upstream: whole messages, and bytes. */
    public void addToUpstream(long messages, long bytes) {
        bytesToUpstream.add(bytes);
        messagesToUpstream.add(messages);
    }

    public void addToClient(long messages, long bytes) {
        bytesToClient.add(bytes);
        messagesToClient.add(messages);
    }

    /** Records who closed first and with which code; later calls are ignored. */
    public void closedBy(Side side, int code) {
        firstClose.compareAndSet(null, new FirstClose(side, code));
    }

    public WebSocketSessionEvent event(String requestId, String sandboxId, int port) {
        FirstClose close = firstClose.get();
        return new WebSocketSessionEvent(requestId, sandboxId, port,
                close == null ? Side.GATEWAY.label() : close.side().label(), close == null ? 1006 : close.code(),
                messagesToUpstream.sum(), bytesToUpstream.sum(), messagesToClient.sum(), bytesToClient.sum(),
                Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
