package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.observe.WebSocketSessionEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one relay carried and how it ended, for the session event. Each direction's counters have one writer at a time
 * (its serial delivery chain), so plain volatile fields do; the first close recorded wins.
 */
public final class RelayStats {

    /** Who ended a session. */
    public enum Side {
        CLIENT, UPSTREAM, GATEWAY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record FirstClose(Side side, int code) {
    }

    private final long startNanos = System.nanoTime();
    private volatile long messagesToUpstream;
    private volatile long bytesToUpstream;
    private volatile long messagesToClient;
    private volatile long bytesToClient;
    private final AtomicReference<FirstClose> firstClose = new AtomicReference<>();

    /** Adds what {@code from} sent and was relayed: whole messages, and payload bytes. */
    public void add(Side from, long messages, long bytes) {
        if (from == Side.CLIENT) {
            messagesToUpstream += messages;
            bytesToUpstream += bytes;
        } else {
            messagesToClient += messages;
            bytesToClient += bytes;
        }
    }

    /** Records who closed first and with which code; later calls are ignored. */
    public void closedBy(Side side, int code) {
        firstClose.compareAndSet(null, new FirstClose(side, code));
    }

    public WebSocketSessionEvent event(String requestId, String sandboxId, int port) {
        FirstClose close = firstClose.get();
        return new WebSocketSessionEvent(requestId, sandboxId, port,
                close == null ? Side.GATEWAY.label() : close.side().label(), close == null ? 1006 : close.code(),
                messagesToUpstream, bytesToUpstream, messagesToClient, bytesToClient,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
