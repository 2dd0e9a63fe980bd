package io.liteboxd.proxy.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    @Test
    void limitsPerSandboxAndInTotal() {
        ConnectionLimits limits = new ConnectionLimits(3, 2);
        ConnectionLimits.Permit a1 = limits.tryAcquire("a");
        ConnectionLimits.Permit a2 = limits.tryAcquire("a");
        assertThat(a1).isNotNull();
        assertThat(a2).isNotNull();
        assertThat(limits.tryAcquire("a")).as("per-sandbox limit").isNull();
        ConnectionLimits.Permit b1 = limits.tryAcquire("b");
        assertThat(b1).isNotNull();
        assertThat(limits.tryAcquire("c")).as("total limit").isNull();
        assertThat(limits.inUse()).isEqualTo(3);

        a1.close();
        a1.close(); // idempotent
        assertThat(limits.inUse()).isEqualTo(2);
        ConnectionLimits.Permit a3 = limits.tryAcquire("a");
        assertThat(a3).as("a's closed permit is free again").isNotNull();
        a3.close();
        assertThat(limits.tryAcquire("c")).isNotNull();
    }

    @Test
    void zeroMeansUnlimitedAndCountersLeaveWhenIdle() {
        ConnectionLimits limits = new ConnectionLimits(0, 0);
        List<ConnectionLimits.Permit> permits = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            permits.add(limits.tryAcquire("s" + (i % 10)));
        }
        assertThat(permits).doesNotContainNull();
        assertThat(limits.inUse()).isEqualTo(1000);
        permits.forEach(ConnectionLimits.Permit::close);
        assertThat(limits.inUse()).isZero();
    }

    @Test
    void concurrentAcquireAndReleaseNeverExceedsTheLimitNorLeaks() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(0, 5);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            AtomicInteger holding = new AtomicInteger();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int maxSeen = 0;
                    for (int i = 0; i < 5000; i++) {
                        ConnectionLimits.Permit p = limits.tryAcquire("hot");
                        if (p != null) {
                            maxSeen = Math.max(maxSeen, holding.incrementAndGet());
                            holding.decrementAndGet();
                            p.close();
                        }
                    }
                    return maxSeen;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(5);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(limits.inUse()).isZero();
        // No per-sandbox count leaked: all five permits of "hot" can be held again, and no sixth.
        List<ConnectionLimits.Permit> again = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            again.add(limits.tryAcquire("hot"));
        }
        assertThat(again).doesNotContainNull();
        assertThat(limits.tryAcquire("hot")).isNull();
    }
}
