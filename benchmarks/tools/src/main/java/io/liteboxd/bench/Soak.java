package io.liteboxd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The soak: {@code --connections} slots, each running one WebSocket connection after another through the gateway
 * for {@code --seconds}: connect, echo a few messages (one in flight, a random think time between them, every
 * echo checked byte for byte), then end it in one of three ways (a normal close 1000 whose reply must be 1000; the
 * TCP connection dropped without a close frame after the last echo; dropped with a message still in flight), and
 * start the next one. Before and after, the gateway process's threads ({@code /proc/PID/task}, by name group), open
 * file descriptors ({@code /proc/PID/fd}) and heap after a full GC ({@code jcmd PID GC.run}, then
 * {@code GC.heap_info}) are read; after the soak they are polled, bounded by {@code --settle} seconds, until all
 * three are back within the tolerances of the baseline. Prints the JSON summary (also to {@code --out}); exit 0 when
 * nothing failed and nothing leaked, 1 otherwise.
 *
 * <p>Phases: a cold snapshot (gateway started, one echo through it); {@code --warmup} seconds of the same churn,
 * then everything closed and a settle pause: the baseline (pools the load grows are then in it, as in the
 * reliability suite's leak test; the cold figures stay in the summary for comparison); the soak; the leak wait.
 */
public final class Soak {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

    enum Ending { NORMAL, DROP_AFTER_ECHOES, DROP_IN_FLIGHT }

    private final Args args;
    private final URI url;
    private final String token;
    private final long pid;
    private final long upstreamPid;
    private final String jcmd;
    private final int slots;
    private final int minMessages;
    private final int maxMessages;
    private final int thinkMillis;
    private final int minSize;
    private final int maxSize;
    private final double dropShare;
    private final double inFlightShare;
    private final String filler;

    private WebSocketClient client;
    private HttpClient http;
    private ScheduledThreadPoolExecutor timer;
    private final Stats soakStats = new Stats();
    /** The counters connections started now report to (warm-up or soak). */
    private volatile Stats stats = soakStats;
    private final List<Slot> all = new ArrayList<>();
    private volatile boolean running;

    Soak(Args args) {
        this.args = args;
        this.url = URI.create(args.require("url"));
        this.token = args.get("token", null);
        this.pid = args.getLong("pid", -1);
        this.upstreamPid = args.getLong("upstream-pid", -1);
        this.jcmd = args.get("jcmd", defaultJcmd());
        this.slots = args.getInt("connections", 2000);
        String[] m = args.get("messages", "2-8").split("-");
        this.minMessages = Integer.parseInt(m[0]);
        this.maxMessages = Integer.parseInt(m[m.length - 1]);
        this.thinkMillis = args.getInt("think-ms", 500);
        String[] s = args.get("size", "16-2048").split("-");
        this.minSize = Math.max(Payloads.SEQ_DIGITS, Integer.parseInt(s[0]));
        this.maxSize = Math.max(minSize, Integer.parseInt(s[s.length - 1]));
        this.dropShare = args.getDouble("drop-share", 0.2);
        this.inFlightShare = args.getDouble("in-flight-share", 0.1);
        this.filler = Payloads.filler(maxSize);
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Soak soak = new Soak(a);
        ObjectNode result;
        try {
            result = soak.run();
        } finally {
            soak.stopClient();
        }
        String json = JSON.writeValueAsString(result);
        System.out.println(json);
        if (a.has("out")) {
            Files.writeString(Path.of(a.get("out", null)), json + "\n", StandardCharsets.UTF_8);
        }
        System.out.flush();
        System.exit(result.path("passed").asBoolean() ? 0 : 1);
    }

    // ---------------------------------------------------------------- the run

    ObjectNode run() throws Exception {
        double warmup = args.getDouble("warmup", 20);
        double seconds = args.getDouble("seconds", 180);
        double settle = args.getDouble("settle", 120);
        double pause = args.getDouble("pause", 10);
        int tolThreads = args.getInt("tolerance-threads", 8);
        int tolFds = args.getInt("tolerance-fds", 16);
        long tolHeap = args.getLong("tolerance-heap-mib", 32) << 20;

        ObjectNode r = JSON.createObjectNode();
        ObjectNode config = r.putObject("config");
        config.put("connections", slots);
        config.put("seconds", seconds);
        config.put("warmupSeconds", warmup);
        config.put("messagesPerConnection", minMessages + "-" + maxMessages);
        config.put("thinkMillis", "0-" + (2 * thinkMillis) + " (uniform)");
        config.put("messageBytes", minSize + "-" + maxSize);
        config.put("endings", String.format("normal close %.0f%%, dropped after the echoes %.0f%%, dropped with a"
                + " message in flight %.0f%%", 100 * (1 - dropShare - inFlightShare), 100 * dropShare,
                100 * inFlightShare));
        config.put("tolerance", "threads +" + tolThreads + ", fds +" + tolFds + ", heap +" + (tolHeap >> 20)
                + " MiB");
        config.put("settleSeconds", settle);
        config.put("observeSeconds", args.getDouble("observe", 60));

        startClient();
        // Cold: one echo through the gateway so its lazily created parts (upstream client, relay pools) exist.
        Stats cold = new Stats();
        swap(cold);
        churn(Math.min(slots, 1), 1.0, 1);
        swap(soakStats);
        waitFor(() -> openRelaysSettled(), 5);
        Snapshot coldSnapshot = snapshot(true);
        r.set("cold", coldSnapshot.json());
        r.set("coldEcho", cold.json(1));

        if (warmup > 0) {
            log("warm-up: %d connections for %.0f s", slots, warmup);
            Stats warm = new Stats();
            swap(warm);
            churn(slots, warmup, 0);
            r.set("warmup", warm.json(warmup));
            swap(soakStats);
            sleep(pause);
        }
        Snapshot base = snapshot(true);
        r.set("baseline", base.json());
        log("baseline: %s", base.brief());

        log("soak: %d connections for %.0f s", slots, seconds);
        ArrayNode timeline = r.putArray("timeline");
        long t0 = System.nanoTime();
        Thread sampler = new Thread(() -> sample(timeline, t0), "soak-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long forced = churn(slots, seconds, 0);
        sampler.interrupt();
        sampler.join(60_000);
        ObjectNode soak = soakStats.json(seconds);
        soak.put("forcedAtStop", forced);
        r.set("soak", soak);
        int peakThreads = 0;
        int peakFds = 0;
        long peakHeap = 0;
        for (var n : timeline) {
            peakThreads = Math.max(peakThreads, n.path("threads").asInt());
            peakFds = Math.max(peakFds, n.path("fds").asInt());
            peakHeap = Math.max(peakHeap, n.path("heapAfterGcBytes").asLong());
        }
        ObjectNode peak = r.putObject("peakDuringSoak");
        peak.put("threads", peakThreads);
        peak.put("fds", peakFds);
        peak.put("heapAfterGcMiB", mib(peakHeap));

        // Nothing of ours may hold a gateway socket while it settles.
        stopClient();
        Snapshot ended = snapshot(false);
        r.set("atEnd", ended.json());
        long s0 = System.nanoTime();
        long deadline = s0 + (long) (settle * 1e9);
        long lastHeapRead = 0;
        Snapshot after;
        boolean back;
        while (true) {
            after = snapshot(false);
            boolean threadsFdsBack = after.threads <= base.threads + tolThreads && after.fds <= base.fds + tolFds;
            boolean timeUp = System.nanoTime() > deadline;
            // A full GC is not free: read the heap only once threads and fds are back, at most every 5 s.
            if ((threadsFdsBack && System.nanoTime() - lastHeapRead > 5_000_000_000L) || timeUp) {
                after = snapshot(true);
                lastHeapRead = System.nanoTime();
                back = after.threads <= base.threads + tolThreads && after.fds <= base.fds + tolFds
                        && after.heap >= 0 && after.heap <= base.heap + tolHeap;
                if (back || timeUp) {
                    break;
                }
            }
            sleep(1);
        }
        ObjectNode leak = r.putObject("after");
        leak.setAll(after.json());
        leak.put("secondsToBaseline", back ? round((System.nanoTime() - s0) / 1e9) : -1);
        leak.put("backToBaseline", back);
        leak.put("threadsOverBaseline", after.threads - base.threads);
        leak.put("fdsOverBaseline", after.fds - base.fds);
        leak.put("heapOverBaselineMiB", after.heap < 0 ? Double.NaN : mib(after.heap - base.heap));
        ObjectNode groupDiff = leak.putObject("threadGroupsVsBaseline");
        Map<String, Integer> keys = new TreeMap<>(base.groups);
        after.groups.forEach(keys::putIfAbsent);
        for (String g : keys.keySet()) {
            int d = after.groups.getOrDefault(g, 0) - base.groups.getOrDefault(g, 0);
            if (d != 0) {
                groupDiff.put(g, d);
            }
        }
        // Then watch a while longer: what the pools still give back after the check passed (informational).
        double observe = args.getDouble("observe", 60);
        double waited = (System.nanoTime() - s0) / 1e9;
        if (observe > waited) {
            sleep(observe - waited);
        }
        Snapshot last = snapshot(true);
        ObjectNode later = r.putObject("observed");
        later.put("secondsAfterStop", round((System.nanoTime() - s0) / 1e9));
        later.setAll(last.json());
        later.remove("threadGroups");
        ObjectNode vsCold = later.putObject("threadGroupsVsCold");
        Map<String, Integer> coldGroups = coldSnapshot.groups;
        Map<String, Integer> names = new TreeMap<>(coldGroups);
        last.groups.forEach(names::putIfAbsent);
        for (String g : names.keySet()) {
            int d = last.groups.getOrDefault(g, 0) - coldGroups.getOrDefault(g, 0);
            if (d != 0) {
                vsCold.put(g, d);
            }
        }
        long errors = soakStats.errors();
        r.put("errors", errors);
        r.put("passed", back && errors == 0 && soakStats.echoed.sum() > 0);
        return r;
    }

    private void sample(ArrayNode timeline, long t0) {
        long lastHeap = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                return;
            }
            boolean heap = System.nanoTime() - lastHeap > 30_000_000_000L;
            Snapshot s;
            try {
                s = snapshot(heap);
            } catch (RuntimeException e) {
                continue;
            }
            if (heap) {
                lastHeap = System.nanoTime();
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("t", round((System.nanoTime() - t0) / 1e9));
            n.put("open", stats.open.get());
            n.put("opened", stats.opened.sum());
            n.put("threads", s.threads);
            n.put("fds", s.fds);
            if (s.heap >= 0) {
                n.put("heapAfterGcBytes", s.heap);
                n.put("heapAfterGcMiB", mib(s.heap));
            }
            synchronized (timeline) {
                timeline.add(n);
            }
            log("t=%3.0f s open=%d opened=%d echoed=%d errors=%d gateway threads=%d fds=%d%s",
                    (System.nanoTime() - t0) / 1e9, stats.open.get(), stats.opened.sum(), stats.echoed.sum(),
                    stats.errors(), s.threads, s.fds, s.heap >= 0 ? String.format(" heap=%.1f MiB", mib(s.heap)) : "");
        }
    }

    /**
     * Runs {@code n} slots for {@code seconds}, then lets each slot finish its connection (bounded), drops what is
     * left; returns how many connections had to be dropped at the stop. {@code rounds > 0}: each slot runs that
     * many connections instead of a duration.
     */
    private long churn(int n, double seconds, int rounds) throws Exception {
        running = true;
        all.clear();
        AtomicInteger idle = new AtomicInteger();
        double ramp = rounds > 0 ? 0 : Math.min(10, seconds / 4);
        for (int i = 0; i < n; i++) {
            Slot slot = new Slot(i, idle, rounds);
            all.add(slot);
            timer.schedule(slot::next, (long) (ThreadLocalRandom.current().nextDouble() * ramp * 1000),
                    TimeUnit.MILLISECONDS);
        }
        if (rounds > 0) {
            if (!waitFor(() -> idle.get() == n, 60)) {
                throw new IllegalStateException("the first echo through the gateway did not finish in 60 s");
            }
        } else {
            sleep(seconds);
        }
        running = false;
        // A connection ends within its messages' think times; a stalled one is caught by the watchdog.
        long bound = 30 + (long) maxMessages * 2 * thinkMillis / 1000;
        waitFor(() -> idle.get() == n, bound);
        long forced = 0;
        for (Slot s : all) {
            Conn c = s.current;
            if (c != null && !c.finished.get()) {
                forced++;
                c.drop();
                c.finish();
            }
        }
        waitFor(() -> stats.open.get() <= 0, 10);
        return forced;
    }

    private boolean openRelaysSettled() {
        return stats.open.get() <= 0;
    }

    // ---------------------------------------------------------------- one slot, one connection after another

    final class Slot {
        final int id;
        final AtomicInteger idle;
        final int rounds;
        int done;
        volatile Conn current;

        Slot(int id, AtomicInteger idle, int rounds) {
            this.id = id;
            this.idle = idle;
            this.rounds = rounds;
        }

        void next() {
            if (rounds > 0 ? done++ >= rounds : !running) {
                current = null;
                idle.incrementAndGet();
                return;
            }
            Conn c = new Conn(this);
            current = c;
            c.start();
        }
    }

    /** One connection. Public: Jetty invokes listeners through method handles. */
    public final class Conn implements Session.Listener {
        final Stats stats = Soak.this.stats;
        final Slot slot;
        final int messages;
        final Ending ending;
        final long base = ThreadLocalRandom.current().nextLong(1_000_000_000L);
        final long started = System.nanoTime();
        final AtomicBoolean finished = new AtomicBoolean();
        final AtomicBoolean counted = new AtomicBoolean();
        volatile Session session;
        volatile boolean closing;
        volatile boolean dropped;
        int sent;
        int received;
        volatile String expected;
        ScheduledFuture watchdog;

        Conn(Slot slot) {
            this.slot = slot;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            this.messages = minMessages + rnd.nextInt(maxMessages - minMessages + 1);
            double e = rnd.nextDouble();
            this.ending = e < inFlightShare ? Ending.DROP_IN_FLIGHT
                    : e < inFlightShare + dropShare ? Ending.DROP_AFTER_ECHOES : Ending.NORMAL;
        }

        void start() {
            long bound = 30_000L + (long) messages * 2 * thinkMillis;
            watchdog = new ScheduledFuture(timer.schedule(this::stalled, bound, TimeUnit.MILLISECONDS));
            ClientUpgradeRequest request = new ClientUpgradeRequest();
            if (token != null) {
                request.setHeader(LoadGen.TOKEN_HEADER, token);
            }
            try {
                client.connect(this, url, request).whenComplete((s, x) -> {
                    if (x != null && !finished.get()) {
                        stats.connectFailures.increment();
                        stats.note("connect: " + rootCause(x));
                        finishLater(100 + ThreadLocalRandom.current().nextInt(400));
                    }
                });
            } catch (IOException | RuntimeException e) {
                stats.connectFailures.increment();
                stats.note("connect: " + rootCause(e));
                finishLater(500);
            }
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            if (finished.get()) {
                // The watchdog gave up on this handshake; the slot has moved on.
                dropped = true;
                s.disconnect();
                return;
            }
            stats.opened.increment();
            if (counted.compareAndSet(false, true)) {
                stats.open.incrementAndGet();
            }
            s.demand();
            sendNext();
        }

        private void sendNext() {
            if (finished.get()) {
                return;
            }
            int size = minSize + ThreadLocalRandom.current().nextInt(maxSize - minSize + 1);
            String m = Payloads.message(base + sent, size, filler);
            expected = m;
            sent++;
            stats.sent.increment();
            boolean dropAfterSend = ending == Ending.DROP_IN_FLIGHT && sent == messages;
            if (dropAfterSend) {
                // From here on nothing of this connection counts: an echo racing the drop is not an echo.
                dropped = true;
            }
            session.sendText(m, Callback.from(() -> { }, x -> {
                if (!closing && !dropped && !finished.get()) {
                    error("send: " + rootCause(x));
                }
            }));
            if (dropAfterSend) {
                stats.droppedInFlight.increment();
                drop();
                finish();
            }
        }

        @Override
        public void onWebSocketText(String message) {
            Session s = session;
            if (finished.get() || dropped) {
                return;
            }
            if (message.equals(expected)) {
                stats.echoed.increment();
            } else {
                stats.mismatches.increment();
                stats.note("mismatch: got " + message.length() + " chars, seq " + Payloads.seq(message)
                        + ", expected seq " + Payloads.seq(expected));
            }
            received++;
            s.demand();
            if (received < messages) {
                long think = thinkMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(2L * thinkMillis + 1);
                timer.schedule(this::sendNext, think, TimeUnit.MILLISECONDS);
            } else if (ending == Ending.DROP_AFTER_ECHOES) {
                stats.droppedAfterEchoes.increment();
                drop();
                finish();
            } else {
                closing = true;
                s.close(1000, "bye", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            Session s = session;
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.slice()).flip();
            s.sendPong(copy, Callback.from(s::demand, x -> { }));
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            session.demand();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
            stats.mismatches.increment();
            stats.note("unexpected binary message");
            session.demand();
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            if (finished.get() || dropped) {
                return;
            }
            if (closing && code == 1000) {
                stats.closedNormally.increment();
            } else if (closing) {
                stats.badCloseCodes.increment();
                stats.note("close reply " + code + " " + reason);
            } else {
                stats.unexpectedCloses.increment();
                stats.note("closed by the gateway: " + code + " " + reason);
            }
            finish();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (finished.get() || dropped) {
                return;
            }
            if (session == null) {
                stats.connectFailures.increment();
                stats.note("connect: " + rootCause(cause));
                finishLater(100 + ThreadLocalRandom.current().nextInt(400));
                return;
            }
            error("session: " + rootCause(cause));
        }

        private void error(String what) {
            stats.sessionErrors.increment();
            stats.note(what);
            drop();
            finish();
        }

        private void stalled() {
            if (finished.get()) {
                return;
            }
            stats.stalled.increment();
            stats.note("stalled: " + (session == null ? "handshake" : "sent " + sent + ", received " + received
                    + (closing ? ", closing" : "")));
            drop();
            finish();
        }

        /** Ends the TCP connection without a close frame. */
        void drop() {
            dropped = true;
            Session s = session;
            if (s != null) {
                try {
                    s.disconnect();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }

        void finish() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            if (watchdog != null) {
                watchdog.cancel();
            }
            if (session != null) {
                stats.closed.increment();
                if (counted.compareAndSet(true, false)) {
                    stats.open.decrementAndGet();
                }
            }
            slot.next();
        }

        private void finishLater(long millis) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            if (watchdog != null) {
                watchdog.cancel();
            }
            timer.schedule(slot::next, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** A cancellable scheduled task (avoids the generic noise of {@code java.util.concurrent.ScheduledFuture}). */
    static final class ScheduledFuture {
        private final java.util.concurrent.ScheduledFuture<?> f;

        ScheduledFuture(java.util.concurrent.ScheduledFuture<?> f) {
            this.f = f;
        }

        void cancel() {
            f.cancel(false);
        }
    }

    // ---------------------------------------------------------------- counters

    static final class Stats {
        final LongAdder opened = new LongAdder();
        final LongAdder closed = new LongAdder();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger peakOpen = new AtomicInteger();
        final LongAdder sent = new LongAdder();
        final LongAdder echoed = new LongAdder();
        final LongAdder closedNormally = new LongAdder();
        final LongAdder droppedAfterEchoes = new LongAdder();
        final LongAdder droppedInFlight = new LongAdder();
        final LongAdder connectFailures = new LongAdder();
        final LongAdder mismatches = new LongAdder();
        final LongAdder badCloseCodes = new LongAdder();
        final LongAdder unexpectedCloses = new LongAdder();
        final LongAdder sessionErrors = new LongAdder();
        final LongAdder stalled = new LongAdder();
        final Map<String, AtomicLong> notes = new ConcurrentHashMap<>();

        void note(String what) {
            String key = what.length() > 160 ? what.substring(0, 160) : what;
            if (notes.size() < 50 || notes.containsKey(key)) {
                notes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            }
        }

        long errors() {
            return connectFailures.sum() + mismatches.sum() + badCloseCodes.sum() + unexpectedCloses.sum()
                    + sessionErrors.sum() + stalled.sum();
        }

        ObjectNode json(double seconds) {
            ObjectNode n = JSON.createObjectNode();
            n.put("connectionsOpened", opened.sum());
            n.put("connectionsClosed", closed.sum());
            n.put("handshakesPerSec", round(opened.sum() / seconds));
            n.put("peakOpen", peakOpen.get());
            n.put("messagesSent", sent.sum());
            n.put("messagesEchoed", echoed.sum());
            n.put("echoesPerSec", round(echoed.sum() / seconds));
            n.put("closedNormally1000", closedNormally.sum());
            n.put("droppedAfterEchoes", droppedAfterEchoes.sum());
            n.put("droppedWithMessageInFlight", droppedInFlight.sum());
            ObjectNode e = n.putObject("errors");
            e.put("connectFailures", connectFailures.sum());
            e.put("echoMismatches", mismatches.sum());
            e.put("wrongCloseReply", badCloseCodes.sum());
            e.put("closedByGateway", unexpectedCloses.sum());
            e.put("sessionErrors", sessionErrors.sum());
            e.put("stalled", stalled.sum());
            e.put("total", errors());
            if (!notes.isEmpty()) {
                ObjectNode w = n.putObject("errorKinds");
                new TreeMap<>(notes).forEach((k, v) -> w.put(k, v.get()));
            }
            return n;
        }
    }

    private void swap(Stats into) {
        stats = into;
    }

    // ---------------------------------------------------------------- the gateway's process

    record Snapshot(int threads, int fds, long heap, Map<String, Integer> groups, int upstreamFds) {
        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("threads", threads);
            n.put("fds", fds);
            if (heap >= 0) {
                n.put("heapAfterGcBytes", heap);
                n.put("heapAfterGcMiB", mib(heap));
            }
            if (upstreamFds >= 0) {
                n.put("upstreamFds", upstreamFds);
            }
            ObjectNode g = n.putObject("threadGroups");
            groups.forEach(g::put);
            return n;
        }

        String brief() {
            return "threads=" + threads + " fds=" + fds + (heap >= 0 ? String.format(" heap=%.1f MiB", mib(heap)) : "");
        }
    }

    Snapshot snapshot(boolean heap) {
        Map<String, Integer> groups = new TreeMap<>();
        int threads = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim();
                    groups.merge(group(name), 1, Integer::sum);
                    threads++;
                } catch (IOException ignored) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("gateway process " + pid + " is gone", e);
        }
        return new Snapshot(threads, countFds(pid), heap ? heapAfterGc() : -1, groups,
                upstreamPid > 0 ? countFds(upstreamPid) : -1);
    }

    /** Thread names without their numbers: {@code gateway-123} and {@code gateway-45} are one group. */
    static String group(String comm) {
        String g = comm.replaceAll("[-#]\\d+", "-N").replaceAll("-N$", "");
        return g.isEmpty() ? comm : g;
    }

    static int countFds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private long heapAfterGc() {
        try {
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            if (m.find()) {
                return Long.parseLong(m.group(2)) * 1024;
            }
            log("cannot read the heap from: %s", info);
        } catch (Exception e) {
            log("jcmd failed: %s", e);
        }
        return -1;
    }

    private String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("jcmd " + command + " did not finish in 60 s");
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String defaultJcmd() {
        Path home = Path.of(System.getProperty("java.home"));
        Path jcmd = home.resolve("bin/jcmd");
        return Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
    }

    // ---------------------------------------------------------------- the client

    private void startClient() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(args.getInt("threads", 32), 4);
        threads.setName("soak");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(100_000);
        http.setMaxRequestsQueuedPerDestination(100_000);
        http.setConnectTimeout(10_000);
        client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofMinutes(2));
        client.setConnectTimeout(10_000);
        client.setStopTimeout(2000);
        client.start();
        timer = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "soak-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        Thread peak = new Thread(() -> {
            while (true) {
                Stats s = stats;
                if (s != null) {
                    s.peakOpen.accumulateAndGet(s.open.get(), Math::max);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-peak");
        peak.setDaemon(true);
        peak.start();
    }

    private void stopClient() {
        try {
            if (client != null) {
                client.stop();
            }
        } catch (Exception ignored) {
            // best effort
        }
        try {
            if (http != null) {
                http.stop();
            }
        } catch (Exception ignored) {
            // best effort
        }
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    interface Condition {
        boolean met();
    }

    static boolean waitFor(Condition c, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!c.met()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("\\d{2,}", "N"));
    }

    static double mib(long bytes) {
        return round(bytes / 1048576.0);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void log(String format, Object... args) {
        System.err.println("[soak] " + String.format(format, args));
        System.err.flush();
    }
}
