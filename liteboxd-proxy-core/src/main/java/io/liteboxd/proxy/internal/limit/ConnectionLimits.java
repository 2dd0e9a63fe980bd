package io.liteboxd.proxy.internal.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent WebSocket connections in total and per sandbox, so one sandbox (or one client) cannot take all of
 * the gateway's sockets. A permit is taken before the upstream is dialled and returned when the relay ends.
 */
public final class ConnectionLimits {

    /** Returned to the limits exactly once, however often it is closed. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final int maxTotal;
    private final int maxPerSandbox;
    private final AtomicInteger total = new AtomicInteger();
    // compute() makes check-and-increment atomic per sandbox, and lets a counter leave the map when it reaches 0.
    private final ConcurrentHashMap<String, Integer> perSandbox = new ConcurrentHashMap<>();

    /**
     * @param maxTotal      most connections in all; 0 for no limit
     * @param maxPerSandbox most connections to one sandbox; 0 for no limit
     */
    public ConnectionLimits(int maxTotal, int maxPerSandbox) {
        if (maxTotal < 0 || maxPerSandbox < 0) {
            throw new IllegalArgumentException("limits must be 0 (none) or positive");
        }
        this.maxTotal = maxTotal;
        this.maxPerSandbox = maxPerSandbox;
    }

    /** @return a permit, or {@code null} when a limit is reached */
    public Permit tryAcquire(String sandboxId) {
        int now = total.incrementAndGet();
        if (maxTotal > 0 && now > maxTotal) {
            total.decrementAndGet();
            return null;
        }
        boolean[] granted = {false};
        perSandbox.compute(sandboxId, (id, count) -> {
            int n = count == null ? 0 : count;
            if (maxPerSandbox > 0 && n >= maxPerSandbox) {
                return count;
            }
            granted[0] = true;
            return n + 1;
        });
        if (!granted[0]) {
            total.decrementAndGet();
            return null;
        }
        AtomicBoolean returned = new AtomicBoolean();
        return () -> {
            if (returned.compareAndSet(false, true)) {
                perSandbox.computeIfPresent(sandboxId, (id, count) -> count <= 1 ? null : count - 1);
                total.decrementAndGet();
            }
        };
    }

    /** Connections holding a permit now. */
    public int inUse() {
        return total.get();
    }
}
