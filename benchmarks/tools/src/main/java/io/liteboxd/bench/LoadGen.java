package io.liteboxd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The WebSocket (and streamed-HTTP) load generator. One JVM per measurement; prints one line
 * {@code RESULT {json}} at the end. Modes ({@code --mode}):
 * <ul>
 *   <li>{@code throughput}: {@code --connections C --size S --window W}: each connection keeps W text messages of S
 *       characters in flight (a new one is sent when an echo arrives), for {@code --warmup} + {@code --duration}
 *       seconds; echoes are checked (order, length, content) and counted in the measured window only;</li>
 *   <li>{@code latency}: a fixed offered rate ({@code --rate} msgs/s over C connections, open loop: each message
 *       is timed from when it was due, not from when it left, so a stalled proxy is not hidden); round-trip
 *       percentiles; announces {@code MEASURE} and {@code MEASURED} around the recorded window without waiting,
 *       so the driver can read CPU times while the schedule goes on;</li>
 *   <li>{@code getrate}: small GETs at a fixed offered rate ({@code --rate} requests/s over at most C keep-alive
 *       connections, open loop as above); latency percentiles, announced window as above;</li>
 *   <li>{@code hsrate}: WebSocket handshakes at a fixed offered rate ({@code --rate} per second; each connection is
 *       closed once open); handshake latency from when it was due, announced window as above;</li>
 *   <li>{@code handshake}: {@code --concurrency K} workers open a connection, wait for it to be open, close it,
 *       repeat; handshakes/s and handshake latency;</li>
 *   <li>{@code idle}: opens {@code --connections N} connections and holds them, stopping at {@code --steps} (comma
 *       list) so the driver can read the proxy's memory; prints {@code STEP open=n} and waits for a line on stdin
 *       at each step;</li>
 *   <li>{@code big}: one message of {@code --size} characters echoed (prints {@code READY} and waits for a line
 *       first);</li>
 *   <li>{@code slowreader}: connects to a flood endpoint and never reads, prints {@code READY}, waits for a line,
 *       holds {@code --hold} seconds, prints {@code HELD}, waits for a line, closes;</li>
 *   <li>{@code ttfb}: {@code --requests N} plain HTTP requests to a streamed (SSE) URL, timing the first event.</li>
 * </ul>
 * Common: {@code --url} (ws:// or http://), {@code --token} (X-Access-Token, optional), {@code --verify full|light},
 * {@code --control stdio} (wait for a line on stdin at each checkpoint; the suite's mode), {@code --threads N}.
 */
public final class LoadGen {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN_HEADER = "X-Access-Token";

    /** How the generator hands control to its driver at synchronisation points. */
    public interface Control {
        /** Announces {@code event} and blocks until the driver says to go on. */
        void checkpoint(String event) throws Exception;

        /**
         * Announces {@code event} without waiting: for marks inside a fixed-rate schedule, which a wait for the
         * driver would delay. The driver's answer is never read (these modes have no checkpoint after).
         */
        default void announce(String event) {
            System.out.println(event);
            System.out.flush();
        }

        Control NONE = new Control() {
            @Override
            public void checkpoint(String event) {
            }

            @Override
            public void announce(String event) {
            }
        };

        static Control stdio() {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return event -> {
                System.out.println(event);
                System.out.flush();
                if (in.readLine() == null) {
                    throw new IllegalStateException("driver went away");
                }
            };
        }
    }

    private final Args args;
    private final Control control;
    private final URI url;
    private final String token;
    private final boolean fullVerify;
    private WebSocketClient client;
    private HttpClient http;

    public LoadGen(Args args, Control control) {
        this.args = args;
        this.control = control;
        this.url = URI.create(args.require("url"));
        this.token = args.get("token", null);
        this.fullVerify = args.get("verify", "light").equals("full");
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        // The suite drives checkpoints over stdin/stdout; run by hand, the generator just goes on.
        Control control = a.get("control", "none").equals("stdio") ? Control.stdio() : event -> {
            System.out.println(event);
            System.out.flush();
        };
        ObjectNode result = new LoadGen(a, control).run();
        System.out.println("RESULT " + JSON.writeValueAsString(result));
        System.out.flush();
        // Jetty's non-daemon threads are stopped in run(); exit anyway so a stuck socket cannot hold the suite.
        System.exit(0);
    }

    public ObjectNode run() throws Exception {
        String mode = args.require("mode");
        if (mode.equals("ttfb")) {
            return ttfb();
        }
        startClient();
        try {
            return switch (mode) {
                case "throughput" -> throughput();
                case "latency" -> latency();
                case "getrate" -> getRate();
                case "hsrate" -> handshakeRate();
                case "handshake" -> handshake();
                case "idle" -> idle();
                case "big" -> big();
                case "slowreader" -> slowReader();
                default -> throw new IllegalArgumentException("unknown --mode " + mode);
            };
        } finally {
            stopClient();
        }
    }

    private void startClient() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(args.getInt("threads", 16), 4);
        threads.setName("loadgen");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        // At a fixed request rate, the connections a user's browser or client would hold open, no more.
        http.setMaxConnectionsPerDestination(args.get("mode", "").equals("getrate")
                ? args.getInt("connections", 50) : 100_000);
        http.setMaxRequestsQueuedPerDestination(100_000);
        http.setConnectTimeout(10_000);
        client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofMinutes(30));
        client.setConnectTimeout(10_000);
        client.setMaxTextMessageSize(Upstream.MAX_MESSAGE);
        client.setMaxBinaryMessageSize(Upstream.MAX_MESSAGE);
        client.setMaxFrameSize(Upstream.MAX_MESSAGE);
        client.setStopTimeout(2000);
        client.start();
    }

    private void stopClient() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // best effort
        }
        try {
            http.stop();
        } catch (Exception ignored) {
            // best effort
        }
    }

    private CompletableFuture<Session> connect(Session.Listener listener) throws IOException {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        if (token != null) {
            request.setHeader(TOKEN_HEADER, token);
        }
        return client.connect(listener, url, request);
    }

    /** Opens {@code n} connections with at most {@code parallel} handshakes in flight; returns the open ones. */
    private <L extends Base> List<L> openAll(List<L> listeners, int parallel, AtomicLong failures) throws Exception {
        Semaphore slots = new Semaphore(parallel);
        CountDownLatch done = new CountDownLatch(listeners.size());
        for (L l : listeners) {
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("handshakes stalled");
            }
            connect(l).whenComplete((s, x) -> {
                if (x != null) {
                    failures.incrementAndGet();
                    l.failure = x;
                }
                slots.release();
                done.countDown();
            });
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("handshakes did not finish in 120 s");
        }
        List<L> open = new ArrayList<>();
        for (L l : listeners) {
            if (l.session != null && l.failure == null) {
                open.add(l);
            }
        }
        return open;
    }

    // ---------------------------------------------------------------- throughput

    private ObjectNode throughput() throws Exception {
        int connections = args.getInt("connections", 50);
        int size = args.getInt("size", 64);
        int window = args.getInt("window", 16);
        double warmup = args.getDouble("warmup", 2);
        double duration = args.getDouble("duration", 5);
        Ring ring = new Ring(size, size >= 4096 ? 64 : 1024);

        Counters counters = new Counters();
        List<Echoer> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            all.add(new Echoer(ring, window, counters, fullVerify));
        }
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        List<Echoer> open = openAll(all, 100, failures);
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        for (Echoer e : open) {
            e.start();
        }
        sleepSeconds(warmup);
        control.checkpoint("MEASURE");
        long m0 = counters.received.sum();
        long b0 = counters.bytes.sum();
        long s0 = System.nanoTime();
        sleepSeconds(duration);
        long m1 = counters.received.sum();
        long b1 = counters.bytes.sum();
        double seconds = (System.nanoTime() - s0) / 1e9;
        control.checkpoint("MEASURED");
        counters.running.set(false);
        // Drain: every message sent must come back.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counters.received.sum() < counters.sent.sum() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        closeAll(open);

        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "throughput");
        r.put("connections", connections);
        r.put("open", open.size());
        r.put("connectFailures", failures.get());
        r.put("size", size);
        r.put("window", window);
        r.put("seconds", seconds);
        r.put("messages", m1 - m0);
        r.put("msgsPerSec", (m1 - m0) / seconds);
        r.put("mbPerSec", (b1 - b0) / seconds / 1e6);
        r.put("sent", counters.sent.sum());
        r.put("received", counters.received.sum());
        r.put("lost", counters.sent.sum() - counters.received.sum());
        r.put("mismatches", counters.mismatches.sum());
        r.put("errors", counters.errors.sum());
        r.put("connectSeconds", connectSeconds);
        return r;
    }

    /** Prebuilt messages: message n of a connection is {@code ring[n % length]}, carrying {@code n % length}. */
    static final class Ring {
        final String[] messages;
        final int size;
        final String filler;

        Ring(int size, int length) {
            if (size < Payloads.SEQ_DIGITS) {
                throw new IllegalArgumentException("--size must be at least " + Payloads.SEQ_DIGITS);
            }
            this.size = size;
            this.filler = Payloads.filler(size);
            this.messages = new String[length];
            for (int i = 0; i < length; i++) {
                messages[i] = Payloads.message(i, size, filler);
            }
        }

        String get(long n) {
            return messages[(int) (n % messages.length)];
        }

        boolean check(String received, long n, boolean full) {
            String expected = get(n);
            if (full) {
                return received.equals(expected);
            }
            return Payloads.matches(received, n % messages.length, size, filler, false);
        }
    }

    static final class Counters {
        final AtomicBoolean running = new AtomicBoolean(true);
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder mismatches = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    /** Listener base: explicit demand, pings answered, the session kept. Public: Jetty uses method handles. */
    public static class Base implements Session.Listener {
        volatile Session session;
        volatile Throwable failure;
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.demand();
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
        public void onWebSocketText(String message) {
            session.demand();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
            session.demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closed.complete(null);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            closed.complete(null);
        }
    }

    /** Keeps a window of messages in flight and checks every echo. */
    public static final class Echoer extends Base {
        private final Ring ring;
        private final int window;
        private final Counters counters;
        private final boolean full;
        private long nextSend;
        private long nextReceive;

        Echoer(Ring ring, int window, Counters counters, boolean full) {
            this.ring = ring;
            this.window = window;
            this.counters = counters;
            this.full = full;
        }

        void start() {
            for (int i = 0; i < window; i++) {
                sendNext();
            }
        }

        private void sendNext() {
            counters.sent.increment();
            // Under the lock so that messages leave in sequence order (they are checked in that order).
            synchronized (this) {
                session.sendText(ring.get(nextSend++), Callback.from(() -> { }, x -> counters.errors.increment()));
            }
        }

        @Override
        public void onWebSocketText(String message) {
            long n;
            synchronized (this) {
                n = nextReceive++;
            }
            if (!ring.check(message, n, full)) {
                counters.mismatches.increment();
            }
            counters.received.increment();
            counters.bytes.add(message.length());
            if (counters.running.get()) {
                sendNext();
            }
            session.demand();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            super.onWebSocketError(cause);
            if (counters.running.get()) {
                counters.errors.increment();
            }
        }
    }

    private static void closeAll(List<? extends Base> open) {
        for (Base b : open) {
            Session s = b.session;
            if (s != null && s.isOpen()) {
                s.close(1000, "done", Callback.NOOP);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Base b : open) {
            long left = deadline - System.nanoTime();
            try {
                b.closed.get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                Session s = b.session;
                if (s != null) {
                    s.disconnect();
                }
            }
        }
    }

    // ---------------------------------------------------------------- latency

    private ObjectNode latency() throws Exception {
        int connections = args.getInt("connections", 50);
        int size = args.getInt("size", 64);
        double rate = args.getDouble("rate", 2000);
        double warmup = args.getDouble("warmup", 2);
        double duration = args.getDouble("duration", 10);
        Ring ring = new Ring(size, 1024);
        Counters counters = new Counters();
        long expected = (long) (rate * duration) + 16;
        Recorder recorder = new Recorder((int) Math.min(Integer.MAX_VALUE - 8, expected * 2));

        List<Timed> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            all.add(new Timed(ring, counters, recorder, fullVerify));
        }
        AtomicLong failures = new AtomicLong();
        List<Timed> open = openAll(all, 100, failures);
        if (open.isEmpty()) {
            throw new IllegalStateException("no connection could be opened: " + all.get(0).failure);
        }
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long recordFrom = start + (long) (warmup * 1e9);
        long end = recordFrom + (long) (duration * 1e9);
        recorder.from = recordFrom;
        long behind = 0;
        Window window = new Window(control, counters.received::sum);
        for (long i = 0; ; i++) {
            long due = start + i * intervalNanos;
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            } else if (now - due > 1_000_000) {
                behind++;
            }
            window.at(due, recordFrom);
            open.get((int) (i % open.size())).send(due);
        }
        window.end();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counters.received.sum() < counters.sent.sum() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        closeAll(open);

        long[] samples = recorder.sorted();
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "latency");
        r.put("connections", connections);
        r.put("open", open.size());
        r.put("connectFailures", failures.get());
        r.put("size", size);
        r.put("rate", rate);
        r.put("seconds", duration);
        r.put("samples", samples.length);
        r.put("senderBehindOver1ms", behind);
        window.put(r);
        r.put("lost", counters.sent.sum() - counters.received.sum());
        r.put("mismatches", counters.mismatches.sum());
        r.put("errors", counters.errors.sum());
        putPercentiles(r, samples);
        return r;
    }

    static void putPercentiles(ObjectNode r, long[] sortedNanos) {
        r.put("p50Ms", Stats.percentile(sortedNanos, 50) / 1e6);
        r.put("p90Ms", Stats.percentile(sortedNanos, 90) / 1e6);
        r.put("p99Ms", Stats.percentile(sortedNanos, 99) / 1e6);
        r.put("p999Ms", Stats.percentile(sortedNanos, 99.9) / 1e6);
        r.put("maxMs", sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6);
        double sum = 0;
        for (long v : sortedNanos) {
            sum += v;
        }
        r.put("meanMs", sortedNanos.length == 0 ? 0 : sum / sortedNanos.length / 1e6);
        ArrayNode dist = r.putArray("distribution");
        for (double p : Stats.CHART_PERCENTILES) {
            dist.addArray().add(p).add(Stats.percentile(sortedNanos, p) / 1e6);
        }
    }

    /** Latency samples, kept whole (a few hundred thousand longs at most). */
    static final class Recorder {
        private final long[] values;
        private int count;
        volatile long from;

        Recorder(int capacity) {
            values = new long[capacity];
        }

        synchronized void record(long due, long nanos) {
            if (due >= from && count < values.length) {
                values[count++] = nanos;
            }
        }

        synchronized long[] sorted() {
            long[] copy = Arrays.copyOf(values, count);
            Arrays.sort(copy);
            return copy;
        }
    }

    /** Sends on the driver's schedule; the echo's latency is counted from when the message was due. */
    public static final class Timed extends Base {
        private final Ring ring;
        private final Counters counters;
        private final Recorder recorder;
        private final boolean full;
        private final ConcurrentLinkedQueue<Long> due = new ConcurrentLinkedQueue<>();
        private long nextSend;
        private long nextReceive;

        Timed(Ring ring, Counters counters, Recorder recorder, boolean full) {
            this.ring = ring;
            this.counters = counters;
            this.recorder = recorder;
            this.full = full;
        }

        void send(long dueNanos) {
            counters.sent.increment();
            synchronized (this) {
                due.add(dueNanos);
                session.sendText(ring.get(nextSend++), Callback.from(() -> { }, x -> counters.errors.increment()));
            }
        }

        @Override
        public void onWebSocketText(String message) {
            long now = System.nanoTime();
            Long d = due.poll();
            long n;
            synchronized (this) {
                n = nextReceive++;
            }
            if (!ring.check(message, n, full)) {
                counters.mismatches.increment();
            }
            counters.received.increment();
            if (d != null) {
                recorder.record(d, now - d);
            }
            session.demand();
        }
    }

    /**
     * The measured window of a fixed-rate mode: announces {@code MEASURE} when the first recorded event is due and
     * {@code MEASURED} after the last, and counts the events completed in between (what the driver divides the
     * proxy's CPU time by).
     */
    static final class Window {
        private final Control control;
        private final java.util.function.LongSupplier done;
        private boolean started;
        private long t0;
        private long done0;
        private double seconds;
        private long events;

        Window(Control control, java.util.function.LongSupplier done) {
            this.control = control;
            this.done = done;
        }

        void at(long due, long from) {
            if (!started && due >= from) {
                started = true;
                t0 = System.nanoTime();
                done0 = done.getAsLong();
                control.announce("MEASURE");
            }
        }

        void end() {
            if (started) {
                seconds = (System.nanoTime() - t0) / 1e9;
                events = done.getAsLong() - done0;
                control.announce("MEASURED");
            }
        }

        void put(ObjectNode r) {
            r.put("windowSeconds", seconds);
            r.put("windowEvents", events);
            r.put("achievedPerSec", seconds > 0 ? events / seconds : 0);
        }
    }

    // ---------------------------------------------------------------- small GETs at a fixed rate

    private ObjectNode getRate() throws Exception {
        double rate = args.getDouble("rate", 2000);
        double warmup = args.getDouble("warmup", 2);
        double duration = args.getDouble("duration", 10);
        long expected = (long) (rate * duration) + 16;
        Recorder recorder = new Recorder((int) Math.min(Integer.MAX_VALUE - 8, expected * 2));
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder sent = new LongAdder();
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long recordFrom = start + (long) (warmup * 1e9);
        long end = recordFrom + (long) (duration * 1e9);
        recorder.from = recordFrom;
        long behind = 0;
        Window window = new Window(control, () -> ok.sum() + failed.sum());
        for (long i = 0; ; i++) {
            long due = start + i * intervalNanos;
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            } else if (now - due > 1_000_000) {
                behind++;
            }
            window.at(due, recordFrom);
            sent.increment();
            var request = http.newRequest(url).timeout(10, TimeUnit.SECONDS);
            if (token != null) {
                request.headers(h -> h.put(TOKEN_HEADER, token));
            }
            request.send(new org.eclipse.jetty.client.BufferingResponseListener(64 * 1024) {
                @Override
                public void onComplete(org.eclipse.jetty.client.Result result) {
                    long t = System.nanoTime();
                    if (result.isSucceeded() && result.getResponse().getStatus() == 200
                            && getContent().length == Upstream.SMALL_BODY_BYTES) {
                        recorder.record(due, t - due);
                        ok.increment();
                    } else {
                        failed.increment();
                    }
                }
            });
        }
        window.end();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ok.sum() + failed.sum() < sent.sum() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long[] samples = recorder.sorted();
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "getrate");
        r.put("rate", rate);
        r.put("connections", args.getInt("connections", 50));
        r.put("seconds", duration);
        r.put("samples", samples.length);
        r.put("senderBehindOver1ms", behind);
        window.put(r);
        r.put("lost", sent.sum() - ok.sum() - failed.sum());
        r.put("errors", failed.sum());
        putPercentiles(r, samples);
        return r;
    }

    // ---------------------------------------------------------------- handshakes at a fixed rate

    private ObjectNode handshakeRate() throws Exception {
        double rate = args.getDouble("rate", 200);
        double warmup = args.getDouble("warmup", 1);
        double duration = args.getDouble("duration", 5);
        Recorder recorder = new Recorder((int) (rate * (warmup + duration)) + 16);
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder sent = new LongAdder();
        LongAdder closed = new LongAdder();
        java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long recordFrom = start + (long) (warmup * 1e9);
        long end = recordFrom + (long) (duration * 1e9);
        recorder.from = recordFrom;
        long behind = 0;
        Window window = new Window(control, () -> ok.sum() + failed.sum());
        for (long i = 0; ; i++) {
            long due = start + i * intervalNanos;
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            } else if (now - due > 1_000_000) {
                behind++;
            }
            window.at(due, recordFrom);
            sent.increment();
            Base l = new Base();
            l.closed.whenComplete((v, x) -> closed.increment());
            connect(l).whenComplete((s, x) -> {
                long t = System.nanoTime();
                if (x != null) {
                    failed.increment();
                    firstError.compareAndSet(null, String.valueOf(x));
                    l.closed.complete(null);
                    return;
                }
                recorder.record(due, t - due);
                ok.increment();
                s.close(1000, "bye", Callback.NOOP);
            });
        }
        window.end();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while ((ok.sum() + failed.sum() < sent.sum() || closed.sum() < sent.sum()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long[] samples = recorder.sorted();
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "hsrate");
        r.put("rate", rate);
        r.put("seconds", duration);
        r.put("samples", samples.length);
        r.put("senderBehindOver1ms", behind);
        window.put(r);
        r.put("lost", sent.sum() - ok.sum() - failed.sum());
        r.put("notClosed", sent.sum() - closed.sum());
        r.put("errors", failed.sum());
        if (firstError.get() != null) {
            r.put("firstError", firstError.get());
        }
        putPercentiles(r, samples);
        return r;
    }

    // ---------------------------------------------------------------- handshakes

    private ObjectNode handshake() throws Exception {
        int concurrency = args.getInt("concurrency", 16);
        double warmup = args.getDouble("warmup", 1);
        double duration = args.getDouble("duration", 5);
        long start = System.nanoTime();
        long from = start + (long) (warmup * 1e9);
        long end = from + (long) (duration * 1e9);
        Recorder recorder = new Recorder(4_000_000);
        recorder.from = from;
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    Base l = new Base();
                    long t0 = System.nanoTime();
                    try {
                        Session s = connect(l).get(10, TimeUnit.SECONDS);
                        long t1 = System.nanoTime();
                        recorder.record(t0, t1 - t0);
                        if (t0 >= from) {
                            done.increment();
                        }
                        s.close(1000, "bye", Callback.NOOP);
                        l.closed.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        if (t0 >= from) {
                            failed.increment();
                        }
                    }
                }
            }, "handshake-" + w);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis((long) (warmup + duration) + 30));
        }
        long[] samples = recorder.sorted();
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "handshake");
        r.put("concurrency", concurrency);
        r.put("seconds", duration);
        r.put("handshakes", done.sum());
        r.put("failures", failed.sum());
        r.put("perSec", done.sum() / duration);
        putPercentiles(r, samples);
        return r;
    }

    // ---------------------------------------------------------------- idle connections

    private ObjectNode idle() throws Exception {
        int connections = args.getInt("connections", 1000);
        List<Integer> steps = new ArrayList<>();
        for (String s : args.get("steps", String.valueOf(connections)).split(",")) {
            steps.add(Math.min(connections, Integer.parseInt(s.trim())));
        }
        if (!steps.contains(connections)) {
            steps.add(connections);
        }
        List<Base> open = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        int opened = 0;
        for (int step : steps) {
            List<Base> batch = new ArrayList<>();
            for (int i = opened; i < step; i++) {
                batch.add(new Base());
            }
            open.addAll(openAll(batch, 100, failures));
            opened = step;
            control.checkpoint("STEP open=" + open.size() + " target=" + step);
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        int stillOpen = 0;
        for (Base b : open) {
            if (b.session.isOpen()) {
                stillOpen++;
            }
        }
        closeAll(open);
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "idle");
        r.put("connections", connections);
        r.put("open", open.size());
        r.put("stillOpenAtEnd", stillOpen);
        r.put("connectFailures", failures.get());
        r.put("seconds", openSeconds);
        return r;
    }

    // ---------------------------------------------------------------- one big message

    private ObjectNode big() throws Exception {
        int size = args.getInt("size", 64 * 1024 * 1024);
        String filler = Payloads.filler(size);
        String message = Payloads.message(7, size, filler);
        Collector l = new Collector();
        CompletableFuture<String> echo = l.message;
        Session s = connect(l).get(10, TimeUnit.SECONDS);
        control.checkpoint("READY");
        long t0 = System.nanoTime();
        s.sendText(message, Callback.from(() -> { }, echo::completeExceptionally));
        String back = echo.get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        boolean ok = back.equals(message);
        s.close(1000, "done", Callback.NOOP);
        l.closed.get(10, TimeUnit.SECONDS);
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "big");
        r.put("size", size);
        r.put("echoed", ok);
        r.put("seconds", seconds);
        r.put("mbPerSec", size / seconds / 1e6);
        return r;
    }

    /** Keeps the first text message. */
    public static final class Collector extends Base {
        final CompletableFuture<String> message = new CompletableFuture<>();

        @Override
        public void onWebSocketText(String m) {
            message.complete(m);
            session.demand();
        }
    }

    /** Never demands a frame: the client never reads, so the proxy in front of a flooding upstream must hold back. */
    public static final class NonReader extends Base {
        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }
    }

    // ---------------------------------------------------------------- slow reader

    private ObjectNode slowReader() throws Exception {
        double hold = args.getDouble("hold", 5);
        NonReader l = new NonReader();
        Session s = connect(l).get(10, TimeUnit.SECONDS);
        control.checkpoint("READY");
        sleepSeconds(hold);
        control.checkpoint("HELD");
        s.disconnect();
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "slowreader");
        r.put("heldSeconds", hold);
        return r;
    }

    // ---------------------------------------------------------------- time to first byte of a stream

    private ObjectNode ttfb() throws Exception {
        int requests = args.getInt("requests", 20);
        String host = url.getHost();
        int port = url.getPort();
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (token == null ? "" : TOKEN_HEADER + ": " + token + "\r\n")
                + "Accept: text/event-stream\r\nConnection: close\r\n\r\n";
        byte[] req = request.getBytes(StandardCharsets.US_ASCII);
        long[] headers = new long[requests];
        long[] first = new long[requests];
        long[] total = new long[requests];
        int complete = 0;
        for (int i = 0; i < requests; i++) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(10_000);
                socket.connect(new InetSocketAddress(host, port), 5000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                long t0 = System.nanoTime();
                out.write(req);
                out.flush();
                StringBuilder seen = new StringBuilder();
                byte[] buf = new byte[8192];
                long tHeaders = -1;
                long tFirst = -1;
                int n;
                while ((n = in.read(buf)) > 0) {
                    long now = System.nanoTime();
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int headerEnd = seen.indexOf("\r\n\r\n");
                    if (tHeaders < 0 && headerEnd >= 0) {
                        tHeaders = now;
                    }
                    if (tFirst < 0 && headerEnd >= 0 && seen.indexOf("data: first", headerEnd) >= 0) {
                        tFirst = now;
                    }
                }
                long tEnd = System.nanoTime();
                if (tFirst < 0 || seen.indexOf("data: last") < 0 || !seen.toString().startsWith("HTTP/1.1 200")) {
                    throw new IllegalStateException("stream " + i + " incomplete: "
                            + seen.substring(0, Math.min(200, seen.length())));
                }
                headers[complete] = tHeaders - t0;
                first[complete] = tFirst - t0;
                total[complete] = tEnd - t0;
                complete++;
            }
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", "ttfb");
        r.put("requests", complete);
        long[] h = Arrays.copyOf(headers, complete);
        long[] f = Arrays.copyOf(first, complete);
        long[] t = Arrays.copyOf(total, complete);
        Arrays.sort(h);
        Arrays.sort(f);
        Arrays.sort(t);
        r.put("headersP50Ms", Stats.percentile(h, 50) / 1e6);
        r.put("firstEventP50Ms", Stats.percentile(f, 50) / 1e6);
        r.put("firstEventP90Ms", Stats.percentile(f, 90) / 1e6);
        r.put("firstEventMaxMs", f.length == 0 ? 0 : f[f.length - 1] / 1e6);
        r.put("totalP50Ms", Stats.percentile(t, 50) / 1e6);
        return r;
    }

    static void sleepSeconds(double s) throws InterruptedException {
        Thread.sleep((long) (s * 1000));
    }
}
