package io.liteboxd.proxy.reliability.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling with a bound: the only way these suites wait for something asynchronous (never a fixed sleep). */
public final class Await {

    private Await() {
    }

    /**
     * Polls {@code condition} every 20 ms until it holds; fails after {@code bound} with {@code what} and the
     * current {@code state}, so a failure says how far things got.
     */
    public static void until(String what, Duration bound, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound + ": " + what + " (now: " + state.get() + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    public static void until(String what, Duration bound, BooleanSupplier condition) {
        until(what, bound, condition, () -> "-");
    }
}
