package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.reliability.support.RelayKind;
import io.liteboxd.proxy.reliability.support.Resources;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/**
 * CI-sized load: 500 concurrent WebSocket connections through the gateway, 200 messages each (100,000 in all),
 * every message echoed exactly once and in order. Afterwards threads, file descriptors, open relays and heap must
 * come back to the baseline measured after a warm-up, within a bounded wait.
 */
abstract class LoadAndLeaks {

    static final int CONNECTIONS = 500;
    static final int MESSAGES = 200;
    /** Messages in flight per connection: enough to pipeline, small enough to stay CI-sized. */
    static final int WINDOW = 8;
    /** A hang check: 20x the last measured run, 4x the slowest seen on a busy shared machine. */
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final Duration LEAK_BOUND = Duration.ofSeconds(30);
    /** The library's own bounded pools: they may keep idle threads after load (see threadsOfTheLibrary...). */
    static final List<String> LIBRARY_POOLS = List.of("liteboxd-http-relay", "liteboxd-ws-send");
    static final int CLIENT_THREADS = ProxyConfig.defaults().clientThreads();

    /** Which WebSocket relay the gateway uses for this run. */
    abstract RelayKind relay();

    @Test
    void fiveHundredConnectionsEchoEveryMessageInOrderAndLeaveNothingBehind() throws Exception {
        // All of them to one sandbox: above the default per-sandbox limit, which is not what this measures.
        ProxyConfig config = ProxyConfig.builder().maxConnectionsPerSandbox(CONNECTIONS).build();
        try (Upstream upstream = Upstream.start();
             Gateway gateway = Gateway.builder().config(config).relay(relay()).sandboxes(TestSandboxes.create(1))
                     .start()) {
            WebSocketClient client = newClient();
            try {
                URI uri = gateway.wsUri(TestSandboxes.path(upstream.port(), "/ws/echo?fragments=1"));

                // Warm-up: pools, buffers and classes reach their steady state before the baseline is taken.
                run(client, uri, 20, 20, gateway.servlet()::openWebSockets);
                awaitAllClosed(gateway, upstream);
                Map<String, Integer> threadsBefore = settledThreadGroups();
                int fdsBefore = Resources.openFds();
                long heapBefore = Resources.heapAfterGc();

                long start = System.nanoTime();
                Result result = run(client, uri, CONNECTIONS, MESSAGES, gateway.servlet()::openWebSockets);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("[load] %s: %d connections x %d messages = %d echoed in %.1f s (%.0f msg/s round "
                                + "trip); peak open relays %d; threads at peak %s%n", relay(), CONNECTIONS, MESSAGES,
                        result.received, seconds, result.received / seconds, result.peakRelays, result.threadsAtPeak);
                assertThat(result.errors).as("ordering, duplication or loss").isEmpty();
                assertThat(result.received).as("messages echoed").isEqualTo((long) CONNECTIONS * MESSAGES);

                awaitAllClosed(gateway, upstream);
                Await.until("open file descriptors back to the baseline (" + fdsBefore + ")", LEAK_BOUND,
                        () -> Resources.openFds() <= fdsBefore + 16, Resources::openFds);
                Await.until("every thread outside the library's bounded pools back to the baseline", LEAK_BOUND,
                        () -> nonLibraryGrowth(threadsBefore).isEmpty(), () -> nonLibraryGrowth(threadsBefore));
                for (String pool : LIBRARY_POOLS) {
                    assertThat(Resources.threads(pool)).as("threads of the bounded pool %s", pool)
                            .isLessThanOrEqualTo(CLIENT_THREADS);
                }
                long heapAfter = Resources.heapAfterGc();
                System.out.printf("[load] %s: after: fds %d (baseline %d), heap %s (baseline %s), threads %s "
                                + "(baseline %s)%n", relay(), Resources.openFds(), fdsBefore, Resources.mib(heapAfter),
                        Resources.mib(heapBefore), Resources.threadGroups(), threadsBefore);
                assertThat(heapAfter - heapBefore).as("heap growth after the load").isLessThan(64L * 1024 * 1024);
            } finally {
                client.stop();
            }
        }
    }

    /**
     * The issue asks for threads back to the baseline "within seconds" after a load, the library's pools included.
     * A smaller load is enough to grow them.
     */
    @Test
    void libraryThreadsReturnToTheBaselineWithinSeconds() throws Exception {
        ProxyConfig config = ProxyConfig.builder().maxConnectionsPerSandbox(CONNECTIONS).build();
        try (Upstream upstream = Upstream.start();
             Gateway gateway = Gateway.builder().config(config).relay(relay()).sandboxes(TestSandboxes.create(1))
                     .start()) {
            WebSocketClient client = newClient();
            try {
                URI uri = gateway.wsUri(TestSandboxes.path(upstream.port(), "/ws/echo?fragments=1"));
                run(client, uri, 5, 5, gateway.servlet()::openWebSockets);
                awaitAllClosed(gateway, upstream);
                Map<String, Integer> before = settledThreadGroups();
                run(client, uri, 200, 20, gateway.servlet()::openWebSockets);
                awaitAllClosed(gateway, upstream);
                Await.until("the library's pools back to the baseline " + before, Duration.ofSeconds(20),
                        () -> LIBRARY_POOLS.stream().allMatch(p -> Resources.threads(p) <= sum(before, p)),
                        Resources::threadGroups);
            } finally {
                client.stop();
            }
        }
    }

    private static int sum(Map<String, Integer> groups, String prefix) {
        return groups.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(Map.Entry::getValue).sum();
    }

    // ---- the load ----

    record Result(long received, List<String> errors, int peakRelays, Map<String, Integer> threadsAtPeak) {
    }

    private static Result run(WebSocketClient client, URI uri, int connections, int messages,
                              java.util.function.IntSupplier openRelays) throws Exception {
        CountDownLatch done = new CountDownLatch(connections);
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong received = new AtomicLong();
        List<Echoer> echoers = new ArrayList<>();
        List<CompletableFuture<Session>> connecting = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Echoer e = new Echoer(c, messages, done, errors, received);
            echoers.add(e);
            ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
            request.setHeader("X-Access-Token", TOKEN);
            connecting.add(client.connect(e, request));
        }
        CompletableFuture.allOf(connecting.toArray(new CompletableFuture<?>[0]))
                .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        int peak = openRelays.getAsInt();
        Map<String, Integer> threadsAtPeak = Resources.threadGroups();
        if (!done.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            long stuck = echoers.stream().filter(e -> e.next < messages).count();
            errors.add(stuck + " connections did not get all " + messages + " echoes within " + BOUND);
        }
        for (Echoer e : echoers) {
            e.session.close(1000, "done", Callback.NOOP);
        }
        for (Echoer e : echoers) {
            if (!e.closed.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                errors.add("connection " + e.id + " was not closed");
            }
            if (e.closeCode != 1000) {
                errors.add("connection " + e.id + " closed with " + e.closeCode);
            }
        }
        return new Result(received.get(), List.copyOf(errors), peak, threadsAtPeak);
    }

    /**
     * One connection's client: keeps {@link #WINDOW} messages in flight, checks each echo is the next one expected
     * (so a loss, a duplicate or a reordering is caught at the message where it happens). Public: Jetty needs
     * method handles.
     */
    public static final class Echoer implements Session.Listener.AutoDemanding {
        final int id;
        final int total;
        final CountDownLatch done;
        final Queue<String> errors;
        final AtomicLong received;
        final CountDownLatch closed = new CountDownLatch(1);
        volatile Session session;
        volatile int closeCode;
        int sent;
        volatile int next;

        Echoer(int id, int total, CountDownLatch done, Queue<String> errors, AtomicLong received) {
            this.id = id;
            this.total = total;
            this.done = done;
            this.errors = errors;
            this.received = received;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            synchronized (this) {
                while (sent < Math.min(WINDOW, total)) {
                    sendNext();
                }
            }
        }

        private void sendNext() {
            session.sendText(id + ":" + sent + ":" + "p".repeat(32), Callback.NOOP);
            sent++;
        }

        @Override
        public void onWebSocketText(String message) {
            String expected = id + ":" + next + ":";
            if (!message.startsWith(expected)) {
                errors.add("connection " + id + " expected message " + next + " but got " + message);
            }
            received.incrementAndGet();
            next++;
            synchronized (this) {
                if (sent < total) {
                    sendNext();
                }
            }
            if (next == total) {
                done.countDown();
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closeCode = statusCode;
            closed.countDown();
            callback.succeed();
        }
    }

    // ---- measuring ----

    private static WebSocketClient newClient() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("load-client");
        threads.setIdleTimeout(2_000);
        threads.setMaxEvictCount(100);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(10_000);
        WebSocketClient client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofMinutes(2));
        client.start();
        return client;
    }

    private static void awaitAllClosed(Gateway gateway, Upstream upstream) {
        Await.until("no open relays", LEAK_BOUND, () -> gateway.servlet().openWebSockets() == 0,
                () -> gateway.servlet().openWebSockets());
        Await.until("no open upstream sessions", LEAK_BOUND, () -> upstream.openSessions() == 0,
                upstream::openSessions);
    }

    /** Thread groups after the test's own pools have shrunk back to their minimum (2 s idle, see Gateway). */
    private static Map<String, Integer> settledThreadGroups() {
        Map<String, Integer> last = Resources.threadGroups();
        long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Map<String, Integer> now = Resources.threadGroups();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Thread groups (outside the library's bounded pools) now larger than at the baseline. */
    private static Map<String, String> nonLibraryGrowth(Map<String, Integer> before) {
        Map<String, String> grown = new java.util.TreeMap<>();
        Resources.threadGroups().forEach((group, n) -> {
            boolean library = LIBRARY_POOLS.stream().anyMatch(group::startsWith);
            int was = before.getOrDefault(group, 0);
            if (!library && n > was) {
                grown.put(group, was + " -> " + n);
            }
        });
        return grown;
    }
}
