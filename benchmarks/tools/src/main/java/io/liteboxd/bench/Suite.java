package io.liteboxd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The benchmark driver: starts the upstream and every contender on loopback, runs every scenario against each with
 * the same load generator, repeats, and writes {@code results.json} plus the Markdown report and chart
 * (see {@link Report}). Started by {@code benchmarks/run.sh}, which installs and builds what this needs.
 */
public final class Suite {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String TOKEN = "t";
    static final String SANDBOX = "bench";
    static final List<String> WS_CONTENDERS = List.of("direct", "gateway", "tomcat", "nginx", "node");
    static final List<String> HTTP_CONTENDERS = List.of("direct", "gateway", "tomcat", "nginx", "node",
            "jetty-proxy", "smiley", "jetty-proxy-tomcat", "smiley-tomcat");
    static final List<String> ALL_CONTENDERS = HTTP_CONTENDERS;

    /** Durations and sizes of one suite run. */
    record Plan(double tputWarmup, double tputDuration, int[] tputConnections, double hsWarmup, double hsDuration,
                int hsConcurrency, int idleConnections, int[] idleSteps, int bigBytes, double slowHold, double wrkWarmup,
                double wrkDuration, int wrkConnections, long transferBytes, int transferTries, int ttfbRequests,
                double warmUp) {

        static Plan full(int idleMax) {
            // wrk warms each contender for 10 s first: the Java contenders' request path is still being compiled
            // after a few seconds of small GETs on two shared cores, and a gateway runs for months, not seconds.
            return new Plan(1.5, 4, new int[] {1, 50, 500}, 1, 4, 16,
                    idleMax, steps(idleMax), 64 << 20, 5, 10, 6, 50, 100L << 20, 3, 20, 4);
        }

        static Plan quick(int idleMax) {
            int n = Math.min(500, idleMax);
            // Saturation at 50 connections only and a smaller idle set: the fixed-rate figures come first,
            // and a quick run must stay short.
            return new Plan(0.5, 1.5, new int[] {50}, 0.5, 2, 16,
                    n, new int[] {n / 2, n}, 64 << 20, 2, 1, 3, 50, 16L << 20, 1, 5, 2);
        }

        private static int[] steps(int n) {
            return Arrays.stream(new int[] {1000, 2500, 5000, n}).filter(s -> s <= n).distinct().toArray();
        }
    }

    /**
     * The fixed-rate efficiency figures: offered rates (the same in quick and full runs, so the figures compare),
     * warm-up and measured seconds (the strace pass measures at most 5 s), and the page loads per contender.
     */
    record RatePlan(double wsRate, int wsConnections, double getRate, int getConnections, double hsRate,
                    double warmup, double duration, int pageRepeats) {

        static RatePlan full() {
            // 20 s at the figure's own rate before its window: on two shared cores a JVM contender's compiler was still
            // busy with the path after the group's 8 s of saturating warm-up, and billed its work to every event.
            return new RatePlan(10_000, 50, 2_000, 50, 200, 20, 8, 10);
        }

        static RatePlan quick() {
            return new RatePlan(10_000, 50, 2_000, 50, 200, 1, 2, 3);
        }
    }

    /** A running contender. */
    static final class Target {
        final String name;
        final Proc proc;
        final int port;
        final String prefix;
        final boolean java;
        final int adminPort;
        JvmProbe probe;

        Target(String name, Proc proc, int port, String prefix, boolean java, int adminPort) {
            this.name = name;
            this.proc = proc;
            this.port = port;
            this.prefix = prefix;
            this.java = java;
            this.adminPort = adminPort;
        }

        String http(String path) {
            return "http://127.0.0.1:" + port + prefix + path;
        }

        String ws(String path) {
            return "ws://127.0.0.1:" + port + prefix + path;
        }

        String token() {
            return name.equals("direct") ? null : TOKEN;
        }
    }

    private final Args args;
    private final Path bench;
    private final Path work;
    private final Path logs;
    private final Path out;
    private final boolean quick;
    private final int repeats;
    private final Plan plan;
    private final RatePlan rates;
    private final Set<String> only;
    private final String java;
    private static final String ACCESS_LOGGER = "io.liteboxd.proxy.access";
    private final List<String> jvmOpts;
    private int upstreamPort;
    private Proc upstreamProc;
    /** CPU lists for {@code taskset}: the two ends (load generator, upstream, browser) and the proxy; null: unpinned. */
    private final String endsCpus;
    private final String proxyCpus;

    Suite(Args args) throws IOException {
        this.args = args;
        this.bench = Path.of(args.get("bench", ".")).toAbsolutePath().normalize();
        this.work = Path.of(args.get("work", bench.resolve("work").toString())).toAbsolutePath();
        this.logs = work.resolve("logs");
        this.out = Path.of(args.get("out", bench.resolve("results").toString())).toAbsolutePath();
        this.quick = args.has("quick");
        this.repeats = args.getInt("repeats", quick ? 1 : 3);
        int fdLimit = args.getInt("fd-limit", 20000);
        int idleMax = Math.min(args.getInt("idle", 10000), (fdLimit - 600) / 2);
        this.plan = quick ? Plan.quick(idleMax) : Plan.full(idleMax);
        this.rates = quick ? RatePlan.quick() : RatePlan.full();
        this.only = new LinkedHashSet<>();
        if (args.has("only")) {
            only.addAll(Arrays.asList(args.get("only", "").split(",")));
        }
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.jvmOpts = List.of(args.get("jvm-opts", "-Xmx2g -XX:+UseG1GC").split("\\s+"));
        // The ends on the first core, the proxy on the others: the proxy never takes CPU from the load generator
        // (which would make a costly proxy look like a slow load generator) and each proxy has the same core.
        int cores = Runtime.getRuntime().availableProcessors();
        String pin = args.get("pin", cores == 2 ? "0:1" : cores > 2 ? "0:1-" + (cores - 1) : "off");
        if (pin.equals("off") || !pin.contains(":")) {
            this.endsCpus = null;
            this.proxyCpus = null;
        } else {
            this.endsCpus = pin.substring(0, pin.indexOf(':'));
            this.proxyCpus = pin.substring(pin.indexOf(':') + 1);
        }
        Files.createDirectories(logs);
        Files.createDirectories(out);
        Proc.pidFile(work.resolve("pids"));
    }

    public static void main(String[] argv) throws Exception {
        Suite suite = new Suite(new Args(argv));
        int code = suite.runAll();
        Proc.stopAll();
        System.exit(code);
    }

    private boolean wanted(String contender) {
        return only.isEmpty() || only.contains(contender) || contender.equals("direct") || contender.equals("nginx");
    }

    private void log(String msg) {
        System.out.println("[" + Instant.now().toString().substring(11, 19) + "] " + msg);
        System.out.flush();
    }

    int runAll() throws Exception {
        ObjectNode results = JSON.createObjectNode();
        results.put("suite", "liteboxd-proxy benchmarks");
        results.put("mode", quick ? "quick" : "full");
        results.put("started", Instant.now().toString());
        ObjectNode machine = Machine.describe(bench, logs);
        machine.put("pinning", endsCpus == null ? "none: every process may run on every core"
                : "taskset: load generator, upstream, wrk, curl and the browser on CPU " + endsCpus
                + "; the proxy (all its processes and threads) on CPU " + proxyCpus);
        results.set("machine", machine);
        results.set("plan", JSON.valueToTree(plan));
        results.set("ratePlan", JSON.valueToTree(rates));
        ArrayNode runs = results.putArray("runs");
        for (int r = 0; r < repeats; r++) {
            log("=== repeat " + (r + 1) + " of " + repeats);
            ObjectNode run = runs.addObject();
            run.put("repeat", r + 1);
            run.put("loadBefore", Machine.loadAverage());
            try {
                runOnce(r, run);
            } catch (Exception e) {
                log("repeat " + (r + 1) + " failed: " + e);
                run.put("error", String.valueOf(e));
            } finally {
                Proc.stopAll();
            }
            run.put("loadAfter", Machine.loadAverage());
            // Written after every repeat so an interrupted suite still leaves its data.
            results.put("finished", Instant.now().toString());
            Report.aggregate(results);
            Files.writeString(out.resolve("results.json"), JSON.writeValueAsString(results));
        }
        Report.write(results, out);
        log("results: " + out.resolve("results.md"));
        return 0;
    }

    // ------------------------------------------------------------------------------------------ processes

    private void runOnce(int repeat, ObjectNode run) throws Exception {
        Map<String, Target> targets = new LinkedHashMap<>();
        Proc upstream = startJava("upstream", List.of("-cp", args.require("tools-cp"), "io.liteboxd.bench.Upstream",
                "--port", "0"));
        String ready = upstream.awaitLine(l -> l.startsWith("READY port="), 60, TimeUnit.SECONDS);
        if (ready == null) {
            throw new IllegalStateException("upstream did not start; see " + upstream.log());
        }
        upstreamPort = Integer.parseInt(ready.substring("READY port=".length()).trim());
        upstreamProc = upstream;
        run.put("upstreamPort", upstreamPort);
        String prefix = "/api/v1/sandbox/" + SANDBOX + "/port/" + upstreamPort;

        targets.put("direct", new Target("direct", null, upstreamPort, "", false, 0));
        List<String> order = rotate(ALL_CONTENDERS.subList(1, ALL_CONTENDERS.size()), repeat);
        for (String name : order) {
            if (!wanted(name)) {
                continue;
            }
            try {
                targets.put(name, startContender(name, prefix));
            } catch (Exception e) {
                log("contender " + name + " did not start: " + e.getMessage());
                run.withObjectProperty("startFailures").put(name, String.valueOf(e.getMessage()));
            }
        }
        for (Target t : targets.values()) {
            if (t.proc != null && !awaitReady(t)) {
                log("contender " + t.name + " not ready; see " + t.proc.log());
                run.withObjectProperty("startFailures").put(t.name, "not ready; see " + t.proc.log());
                t.proc.close();
            }
        }
        targets.values().removeIf(t -> {
            if (t.proc == null || t.proc.isAlive()) {
                return false;
            }
            // Said, so that a contender missing from a repeat's figures is not a mystery.
            log("contender " + t.name + " exited during start; see " + t.proc.log());
            run.withObjectProperty("startFailures").put(t.name, "exited during start; see " + t.proc.log());
            return true;
        });
        for (Target t : targets.values()) {
            if (t.java && t.proc != null) {
                try {
                    t.probe = JvmProbe.attach(t.proc.pid());
                } catch (Exception e) {
                    log("cannot attach to " + t.name + ": " + e);
                }
            }
        }
        log("contenders: " + targets.keySet() + " upstream port " + upstreamPort);

        ObjectNode figures = run.putObject("figures");
        ObjectNode raw = run.putObject("raw");
        for (Target t : targets.values()) {
            figures.putObject(t.name);
            raw.putObject(t.name);
        }
        List<Target> wsTargets = targets.values().stream().filter(t -> WS_CONTENDERS.contains(t.name)).toList();
        List<Target> httpTargets = new ArrayList<>(targets.values());
        List<Target> wsOrder = rotate(wsTargets, repeat);
        List<Target> httpOrder = rotate(httpTargets, repeat);

        // Memory figures first, on processes that have served nothing yet: the thread count and heap of a proxy
        // after a 500-connection run would say more about the previous run than about idle connections.
        if (enabled("ws")) {
            for (Target t : wsOrder) {
                if (t.proc != null) {
                    scenario(t, raw, figures, "idle", () -> wsIdle(t, figures.withObjectProperty(t.name),
                            raw.withObjectProperty(t.name)));
                }
            }
            for (Target t : wsOrder) {
                scenario(t, raw, figures, "big", () -> wsBig(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
            for (Target t : wsOrder) {
                if (t.proc != null) {
                    scenario(t, raw, figures, "slowreader", () -> wsSlowReader(t, figures.withObjectProperty(t.name),
                            raw.withObjectProperty(t.name)));
                }
            }
        }
        // Then warm every JIT up on both paths, unrecorded, so the first measured run is not a cold start.
        for (Target t : httpOrder) {
            scenario(t, raw, figures, "warm-up", () -> warmUp(t, wsTargets.contains(t)));
        }
        // The primary figures first, while the machine is as the warm-up left it for every contender alike.
        if (enabled("rate")) {
            for (int size : new int[] {64, 4096}) {
                for (Target t : wsOrder) {
                    scenario(t, raw, figures, "rate-ws-" + size, () -> rateWs(t, size,
                            figures.withObjectProperty(t.name), raw.withObjectProperty(t.name)));
                }
            }
            for (Target t : httpOrder) {
                scenario(t, raw, figures, "rate-get", () -> rateGet(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
            for (Target t : wsOrder) {
                scenario(t, raw, figures, "rate-handshake", () -> rateHandshake(t,
                        figures.withObjectProperty(t.name), raw.withObjectProperty(t.name)));
            }
            // A separate pass: strace slows the traced process down, so it never overlaps a CPU measurement.
            for (Target t : wsOrder) {
                if (t.proc != null) {
                    scenario(t, raw, figures, "syscalls", () -> syscalls(t, figures.withObjectProperty(t.name),
                            raw.withObjectProperty(t.name)));
                }
            }
        }
        if (enabled("page")) {
            for (Target t : wsOrder) {
                scenario(t, raw, figures, "page-load", () -> pageLoad(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
        }
        if (enabled("ws")) {
            for (int size : new int[] {64, 65536}) {
                for (int c : plan.tputConnections()) {
                    for (Target t : wsOrder) {
                        scenario(t, raw, figures, "tput-" + size + "-" + c, () -> wsThroughput(t, size, c,
                                figures.withObjectProperty(t.name), raw.withObjectProperty(t.name)));
                    }
                }
            }
            for (Target t : wsOrder) {
                scenario(t, raw, figures, "handshake", () -> wsHandshake(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
        }
        if (enabled("http")) {
            for (Target t : httpOrder) {
                scenario(t, raw, figures, "wrk", () -> httpGet(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
            for (Target t : httpOrder) {
                scenario(t, raw, figures, "transfer", () -> httpTransfer(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
            for (Target t : httpOrder) {
                scenario(t, raw, figures, "ttfb", () -> httpTtfb(t, figures.withObjectProperty(t.name),
                        raw.withObjectProperty(t.name)));
            }
        }
        // Profiles cost half a minute: a quick run takes them only when asked.
        boolean profiles = quick ? args.has("profile") : !args.has("no-profile");
        if (repeat == repeats - 1 && profiles) {
            for (Target t : httpOrder) {
                if (t.java && (t.name.equals("gateway") || t.name.equals("tomcat"))) {
                    scenario(t, raw, figures, "profile", () -> profile(t));
                }
            }
        }
        for (Target t : targets.values()) {
            if (t.probe != null) {
                t.probe.close();
            }
            if (t.proc != null) {
                run.withObjectProperty("alive").put(t.name, t.proc.isAlive());
                t.proc.close();
            }
        }
        upstream.close();
    }

    private boolean enabled(String group) {
        String g = args.get("groups", "rate,page,ws,http");
        return Arrays.asList(g.split(",")).contains(group);
    }

    interface Step {
        void run() throws Exception;
    }

    private void scenario(Target t, ObjectNode raw, ObjectNode figures, String name, Step step) {
        if (t.proc != null && !t.proc.isAlive()) {
            raw.withObjectProperty(t.name).put(name + ".error", "process not running");
            return;
        }
        long t0 = System.nanoTime();
        try {
            step.run();
            log(String.format("%-11s %-14s ok (%.1f s)", t.name, name, (System.nanoTime() - t0) / 1e9));
        } catch (Exception e) {
            log(String.format("%-11s %-14s FAILED: %s", t.name, name, e));
            raw.withObjectProperty(t.name).put(name + ".error", String.valueOf(e));
        }
        pause(300);
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> copy = new ArrayList<>(list);
        if (!copy.isEmpty()) {
            Collections.rotate(copy, -(by % copy.size()));
        }
        return copy;
    }

    /** {@code cmd} run on the ends' CPUs. */
    List<String> ends(List<String> cmd) {
        return pinned(endsCpus, cmd);
    }

    /** {@code cmd} run on the proxy's CPUs. */
    List<String> proxy(List<String> cmd) {
        return pinned(proxyCpus, cmd);
    }

    private static List<String> pinned(String cpus, List<String> cmd) {
        if (cpus == null) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of("taskset", "-c", cpus));
        out.addAll(cmd);
        return out;
    }

    private Proc startJava(String name, List<String> rest) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOpts);
        cmd.add("-Dliteboxd.bench=" + name);
        // No access log, as nginx is configured (access_log off): a log line per request or session is a cost every
        // contender would pay alike, and only this library's is on by default.
        cmd.add("-D" + ACCESS_LOGGER + ".LEVEL=WARN");
        cmd.addAll(rest);
        return Proc.start(name, name.equals("upstream") ? ends(cmd) : proxy(cmd), logs.resolve(name + ".log"), null);
    }

    private Target startContender(String name, String prefix) throws Exception {
        int port = freePort();
        String upstream = "http://127.0.0.1:" + upstreamPort;
        switch (name) {
            case "gateway" -> {
                Path sandboxes = work.resolve("sandboxes.json");
                Files.writeString(sandboxes, "{\"sandboxes\":[{\"id\":\"" + SANDBOX
                        + "\",\"host\":\"127.0.0.1\",\"token\":\"" + TOKEN + "\"}]}\n");
                Proc p = startJava("gateway", List.of("-jar", args.require("gateway-jar"),
                        "--listen", "127.0.0.1:" + port, "--sandboxes", sandboxes.toString(),
                        // Every load comes from 127.0.0.1 to one sandbox, thousands of connections at once.
                        "--max-connections", "0", "--max-connections-per-ip", "0", "--max-websockets", "0",
                        "--max-websockets-per-sandbox", "0"));
                return new Target(name, p, port, prefix, true, 0);
            }
            case "tomcat" -> {
                Proc p = startJava("tomcat", List.of("-cp", args.require("tomcat-cp"),
                        "io.liteboxd.bench.tomcat.TomcatGateway", "--port", String.valueOf(port),
                        "--sandbox", SANDBOX, "--token", TOKEN, "--host", "127.0.0.1"));
                return new Target(name, p, port, prefix, true, 0);
            }
            case "jetty-proxy", "smiley" -> {
                Proc p = startJava(name, List.of("-cp", args.require("contenders-cp"),
                        "io.liteboxd.bench.contenders.JavaProxies", "--kind", name, "--port", String.valueOf(port),
                        "--prefix", prefix, "--upstream", upstream, "--token", TOKEN));
                return new Target(name, p, port, prefix, true, 0);
            }
            case "jetty-proxy-tomcat", "smiley-tomcat" -> {
                Proc p = startJava(name, List.of("-cp", args.require("contenders-tomcat-cp"),
                        "io.liteboxd.bench.contenders.tomcat.TomcatProxies", "--kind",
                        name.substring(0, name.length() - "-tomcat".length()), "--port", String.valueOf(port),
                        "--prefix", prefix, "--upstream", upstream, "--token", TOKEN));
                return new Target(name, p, port, prefix, true, 0);
            }
            case "nginx" -> {
                Path dir = work.resolve("nginx");
                Files.createDirectories(dir.resolve("logs"));
                String conf = Files.readString(bench.resolve("nginx/nginx.conf.template"))
                        .replace("@WORK@", dir.toString())
                        .replace("@PORT@", String.valueOf(port))
                        .replace("@UPSTREAM_PORT@", String.valueOf(upstreamPort))
                        .replace("@PREFIX@", prefix)
                        .replace("@TOKEN@", TOKEN);
                Path confFile = dir.resolve("nginx.conf");
                Files.writeString(confFile, conf);
                Proc p = Proc.start("nginx", proxy(List.of(args.get("nginx", "nginx"), "-p", dir.toString(), "-c",
                        confFile.toString(), "-e", dir.resolve("logs/error.log").toString(), "-g", "daemon off;")),
                        logs.resolve("nginx.log"), null);
                return new Target(name, p, port, prefix, false, 0);
            }
            case "node" -> {
                int admin = freePort();
                Proc p = Proc.start("node", proxy(List.of(args.get("node", "node"), "--expose-gc",
                        bench.resolve("node/http-proxy.js").toString(), String.valueOf(port),
                        String.valueOf(upstreamPort), prefix, TOKEN, String.valueOf(admin))),
                        logs.resolve("node.log"), null);
                return new Target(name, p, port, prefix, false, admin);
            }
            default -> throw new IllegalArgumentException("unknown contender " + name);
        }
    }

    /** Ready when {@code GET {prefix}/small} answers 200 through it. */
    private boolean awaitReady(Target t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!t.proc.isAlive()) {
                return false;
            }
            try {
                if (httpStatus(t.http("/small"), t.token()) == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    static int httpStatus(String url, String token) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        if (token != null) {
            c.setRequestProperty("X-Access-Token", token);
        }
        try {
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status;
        } finally {
            c.disconnect();
        }
    }

    static String httpGet(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(10000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------ the load generator

    /** Runs the load generator; {@code onCheckpoint} runs at each STEP/READY/HELD line before the generator goes on. */
    private JsonNode loadgen(Target t, String label, List<String> lgArgs, Consumer<String> onCheckpoint,
                             double expectedSeconds) throws Exception {
        return loadgen(t, label, lgArgs, (line, proc) -> onCheckpoint.accept(line), expectedSeconds);
    }

    interface Checkpoint {
        void on(String line, Proc loadgen) throws Exception;
    }

    private JsonNode loadgen(Target t, String label, List<String> lgArgs, Checkpoint onCheckpoint,
                             double expectedSeconds) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOpts);
        cmd.add("-Dliteboxd.bench=loadgen");
        cmd.addAll(List.of("-cp", args.require("tools-cp"), "io.liteboxd.bench.LoadGen", "--control", "stdio"));
        cmd.addAll(lgArgs);
        if (t.token() != null) {
            cmd.addAll(List.of("--token", t.token()));
        }
        long timeout = (long) expectedSeconds + 90;
        try (Proc p = Proc.start("loadgen", ends(cmd), logs.resolve("loadgen-" + t.name + "-" + label + ".log"), null)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = p.awaitLine(l -> l.startsWith("RESULT ") || l.startsWith("STEP ")
                        || l.equals("READY") || l.equals("HELD") || l.startsWith("MEASURE"),
                        Math.max(1, left), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("load generator " + (p.isAlive() ? "timed out" : "died")
                            + "; see " + p.log());
                }
                if (line.startsWith("RESULT ")) {
                    return LoadGen.JSON.readTree(line.substring("RESULT ".length()));
                }
                onCheckpoint.on(line, p);
                p.send("go");
            }
        }
    }

    private void wsThroughput(Target t, int size, int connections, ObjectNode fig, ObjectNode raw) throws Exception {
        int window = size <= 64 ? 16 : 2;
        Cpu cpu = new Cpu(t);
        JsonNode r = loadgen(t, "tput-" + size + "-" + connections, List.of("--mode", "throughput",
                "--url", t.ws("/ws"), "--connections", String.valueOf(connections), "--size", String.valueOf(size),
                "--window", String.valueOf(window), "--warmup", String.valueOf(plan.tputWarmup()),
                "--duration", String.valueOf(plan.tputDuration())), (line, proc) -> cpu.mark(line, proc),
                plan.tputWarmup() + plan.tputDuration() + 10);
        String key = Figures.tputKey(size, connections);
        ObjectNode rec = (ObjectNode) r;
        cpu.put(rec, r.path("messages").asLong());
        raw.set(key, r);
        checkClean(r, "throughput");
        fig.put(key + ".msgs", r.get("msgsPerSec").asDouble());
        fig.put(key + ".MBps", r.get("mbPerSec").asDouble());
        if (rec.has("proxyCpuUsPerMsg")) {
            fig.put(key + ".proxyCpuUs", rec.get("proxyCpuUsPerMsg").asDouble());
        }
    }

    /**
     * CPU seconds of the proxy, the upstream and the load generator over a measured window: how much CPU one message
     * costs the proxy (a figure far less sensitive to a shared machine than throughput), and whether the load
     * generator or the upstream ran out of CPU (the bottleneck check).
     */
    final class Cpu {
        private final Target target;
        private List<Long> loadgenPids;
        private double proxy0;
        private double compiler0;
        private double upstream0;
        private double loadgen0;
        private long t0;
        private double proxy;
        private double compiler;
        private double upstreamCpu;
        private double loadgenCpu;
        private double wall;

        Cpu(Target target) {
            this.target = target;
        }

        void mark(String line, Proc loadgen) {
            if (line.equals("MEASURE")) {
                loadgenPids = List.of(loadgen.pid());
                t0 = System.nanoTime();
                proxy0 = proxyCpu();
                compiler0 = compilerCpu();
                upstream0 = ProcStats.cpuSeconds(upstreamPids());
                loadgen0 = ProcStats.cpuSeconds(loadgenPids);
            } else if (line.equals("MEASURED") && loadgenPids != null) {
                wall = (System.nanoTime() - t0) / 1e9;
                proxy = proxyCpu() - proxy0;
                compiler = compilerCpu() - compiler0;
                upstreamCpu = ProcStats.cpuSeconds(upstreamPids()) - upstream0;
                loadgenCpu = ProcStats.cpuSeconds(loadgenPids) - loadgen0;
            }
        }

        private double proxyCpu() {
            return target.proc == null ? 0 : ProcStats.cpuSeconds(target.proc.pids());
        }

        private double compilerCpu() {
            return target.proc == null ? 0 : ProcStats.compilerCpuSeconds(target.proc.pids());
        }

        void put(ObjectNode r, long units) {
            if (wall <= 0) {
                return;
            }
            ObjectNode c = r.putObject("cpu");
            c.put("wallSeconds", wall);
            c.put("proxyCores", proxy / wall);
            c.put("proxyCompilerShare", proxy > 0 ? compiler / proxy : 0);
            c.put("upstreamCores", upstreamCpu / wall);
            c.put("loadgenCores", loadgenCpu / wall);
            c.put("endsCpuSeconds", upstreamCpu + loadgenCpu);
            c.put("upstreamCpuSeconds", upstreamCpu);
            if (target.proc != null && units > 0) {
                r.put("proxyCpuUsPerMsg", proxy * 1e6 / units);
            }
        }
    }

    private List<Long> upstreamPids() {
        return upstreamProc == null ? List.of() : List.of(upstreamProc.pid());
    }

    private static void checkClean(JsonNode r, String what) {
        long bad = r.path("mismatches").asLong() + r.path("lost").asLong() + r.path("connectFailures").asLong()
                + (r.path("mode").asText().endsWith("rate") ? r.path("errors").asLong() : 0);
        if (bad > 0 || r.path("open").asInt(1) == 0) {
            throw new IllegalStateException(what + " not clean: " + r);
        }
    }

    private void wsHandshake(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        JsonNode r = loadgen(t, "handshake", List.of("--mode", "handshake", "--url", t.ws("/ws"),
                "--concurrency", String.valueOf(plan.hsConcurrency()), "--warmup", String.valueOf(plan.hsWarmup()),
                "--duration", String.valueOf(plan.hsDuration())), l -> { }, plan.hsWarmup() + plan.hsDuration());
        raw.set("handshake", r);
        fig.put("ws.hs.rate", r.get("perSec").asDouble());
        fig.put("ws.hs.p50", r.get("p50Ms").asDouble());
        fig.put("ws.hs.p99", r.get("p99Ms").asDouble());
    }

    /** What a proxy holds: heap after a full GC (Java: JMX; node: its admin port), RSS and threads. */
    private ObjectNode memory(Target t) {
        ObjectNode m = LoadGen.JSON.createObjectNode();
        long heap = heapAfterGc(t);
        if (heap >= 0) {
            m.put("heap", heap);
        }
        ProcStats.Sample s = ProcStats.sample(t.proc.pids());
        m.put("rss", s.rssBytes());
        m.put("hwm", s.hwmBytes());
        m.put("threads", s.threads());
        m.put("processes", s.processes());
        return m;
    }

    private long heapAfterGc(Target t) {
        try {
            if (t.probe != null) {
                return t.probe.heapAfterGc();
            }
            if (t.adminPort > 0) {
                JsonNode n = LoadGen.JSON.readTree(httpGet("http://127.0.0.1:" + t.adminPort + "/mem"));
                // Buffers live outside V8's heap: count them, as a JVM's heap counts its byte arrays.
                return n.get("heapUsed").asLong() + n.get("external").asLong();
            }
        } catch (Exception e) {
            log("heap of " + t.name + " not readable: " + e);
        }
        return -1;
    }

    private void wsIdle(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        pause(500);
        ObjectNode before = memory(t);
        ArrayNode steps = LoadGen.JSON.createArrayNode();
        String stepList = Arrays.stream(plan.idleSteps()).mapToObj(String::valueOf)
                .reduce((a, b) -> a + "," + b).orElse("");
        JsonNode r = loadgen(t, "idle", List.of("--mode", "idle", "--url", t.ws("/ws"),
                "--connections", String.valueOf(plan.idleConnections()), "--steps", stepList), line -> {
                    pause(1000);
                    ObjectNode m = memory(t);
                    m.put("open", Integer.parseInt(line.replaceAll(".*open=(\\d+).*", "$1")));
                    steps.add(m);
                }, 120);
        ObjectNode rec = raw.putObject("idle");
        rec.set("loadgen", r);
        rec.set("before", before);
        rec.set("steps", steps);
        JsonNode last = steps.get(steps.size() - 1);
        int open = last.get("open").asInt();
        if (open < plan.idleConnections() * 0.99) {
            throw new IllegalStateException("only " + open + " of " + plan.idleConnections() + " connections opened");
        }
        if (before.has("heap") && last.has("heap")) {
            fig.put("ws.idle.heapPerConn", (last.get("heap").asLong() - before.get("heap").asLong()) / 1024.0 / open);
        }
        fig.put("ws.idle.rssPerConn", (last.get("rss").asLong() - before.get("rss").asLong()) / 1024.0 / open);
        fig.put("ws.idle.threads0", before.get("threads").asInt());
        fig.put("ws.idle.threadsFirst", steps.get(0).get("threads").asInt());
        fig.put("ws.idle.connectionsFirst", steps.get(0).get("open").asInt());
        fig.put("ws.idle.threadsN", last.get("threads").asInt());
        fig.put("ws.idle.connections", open);
    }

    private void wsBig(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        pause(500);
        long[] base = {-1};
        long[] rss0 = {0};
        JvmProbe.Sampler[] sampler = {null};
        NodeSampler[] nodeSampler = {null};
        JsonNode r = loadgen(t, "big", List.of("--mode", "big", "--url", t.ws("/ws"),
                "--size", String.valueOf(plan.bigBytes())), line -> {
                    if (t.proc == null) {
                        return;
                    }
                    base[0] = heapAfterGc(t);
                    ProcStats.resetPeak(t.proc.pids());
                    rss0[0] = ProcStats.sample(t.proc.pids()).rssBytes();
                    if (t.probe != null) {
                        t.probe.resetPeaks();
                        sampler[0] = t.probe.sampleRetained(100);
                    } else if (t.adminPort > 0) {
                        nodeSampler[0] = new NodeSampler(t.adminPort);
                    }
                }, 60);
        raw.set("big", r);
        if (!r.path("echoed").asBoolean()) {
            throw new IllegalStateException("64 MiB message not echoed intact: " + r);
        }
        fig.put("ws.big.seconds", r.get("seconds").asDouble());
        if (t.proc == null) {
            return;
        }
        ProcStats.Sample s = ProcStats.sample(t.proc.pids());
        fig.put("ws.big.rssGrowth", (s.hwmBytes() - rss0[0]) / 1048576.0);
        if (sampler[0] != null) {
            sampler[0].close();
            long peakSum = t.probe.peakSum();
            long retained = Math.max(sampler[0].max(), heapAfterGc(t));
            fig.put("ws.big.heapGrowth", (retained - base[0]) / 1048576.0);
            fig.put("ws.big.heapPeakGrowth", (peakSum - base[0]) / 1048576.0);
            ((ObjectNode) r).put("heapSamples", sampler[0].samples());
        } else if (nodeSampler[0] != null) {
            nodeSampler[0].close();
            long retained = Math.max(nodeSampler[0].max(), heapAfterGc(t));
            fig.put("ws.big.heapGrowth", (retained - base[0]) / 1048576.0);
            ((ObjectNode) r).put("heapSamples", nodeSampler[0].samples());
        }
    }

    /** node's heap after gc(), polled from its admin port. */
    static final class NodeSampler implements AutoCloseable {
        private volatile boolean running = true;
        private volatile long max;
        private volatile long samples;
        private final Thread thread;

        NodeSampler(int adminPort) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        JsonNode n = LoadGen.JSON.readTree(httpGet("http://127.0.0.1:" + adminPort + "/mem"));
                        max = Math.max(max, n.get("heapUsed").asLong() + n.get("external").asLong());
                        samples++;
                        Thread.sleep(100);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "node-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long max() {
            return max;
        }

        long samples() {
            return samples;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    private void wsSlowReader(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        pause(500);
        long[] base = {-1};
        long[] rss0 = {0};
        ObjectNode[] after = {null};
        JsonNode r = loadgen(t, "slowreader", List.of("--mode", "slowreader", "--url",
                t.ws("/flood?size=65536"), "--hold", String.valueOf(plan.slowHold())), line -> {
                    if (line.equals("READY")) {
                        base[0] = heapAfterGc(t);
                        ProcStats.resetPeak(t.proc.pids());
                        rss0[0] = ProcStats.sample(t.proc.pids()).rssBytes();
                    } else {
                        after[0] = memory(t);
                    }
                }, plan.slowHold() + 10);
        ObjectNode rec = raw.putObject("slowreader");
        rec.set("loadgen", r);
        rec.put("heapBefore", base[0]);
        rec.set("after", after[0]);
        if (after[0] == null) {
            throw new IllegalStateException("no sample taken");
        }
        if (base[0] >= 0 && after[0].has("heap")) {
            fig.put("ws.slow.heapGrowth", (after[0].get("heap").asLong() - base[0]) / 1048576.0);
        }
        fig.put("ws.slow.rssGrowth", (after[0].get("hwm").asLong() - rss0[0]) / 1048576.0);
    }


    // ------------------------------------------------------------------------------------------ fixed rates

    /** Proxy CPU per echoed message and round trip at {@code rates.wsRate()} messages/s of {@code size} bytes. */
    private void rateWs(Target t, int size, ObjectNode fig, ObjectNode raw) throws Exception {
        String key = Figures.rateWsKey(size);
        Cpu cpu = new Cpu(t);
        JsonNode r = loadgen(t, key, List.of("--mode", "latency", "--url", t.ws("/ws"),
                "--connections", String.valueOf(rates.wsConnections()), "--size", String.valueOf(size),
                "--rate", String.valueOf(rates.wsRate()), "--warmup", String.valueOf(rates.warmup()),
                "--duration", String.valueOf(rates.duration())), cpu::mark, rates.warmup() + rates.duration() + 20);
        ratePut(t, key, (ObjectNode) r, cpu, rates.wsRate(), fig, raw);
    }

    /** Proxy CPU per small GET and its latency at {@code rates.getRate()} requests/s. */
    private void rateGet(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        Cpu cpu = new Cpu(t);
        JsonNode r = loadgen(t, "rate-get", List.of("--mode", "getrate", "--url", t.http("/small"),
                "--connections", String.valueOf(rates.getConnections()), "--rate", String.valueOf(rates.getRate()),
                "--warmup", String.valueOf(rates.warmup()), "--duration", String.valueOf(rates.duration())),
                cpu::mark, rates.warmup() + rates.duration() + 20);
        ratePut(t, "rate.get", (ObjectNode) r, cpu, rates.getRate(), fig, raw);
    }

    /** Proxy CPU per WebSocket handshake (and close) and handshake latency at {@code rates.hsRate()} per second. */
    private void rateHandshake(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        Cpu cpu = new Cpu(t);
        JsonNode r = loadgen(t, "rate-handshake", List.of("--mode", "hsrate", "--url", t.ws("/ws"),
                "--rate", String.valueOf(rates.hsRate()), "--warmup", String.valueOf(rates.warmup()),
                "--duration", String.valueOf(rates.duration())), cpu::mark, rates.warmup() + rates.duration() + 20);
        ratePut(t, "rate.hs", (ObjectNode) r, cpu, rates.hsRate(), fig, raw);
    }

    private void ratePut(Target t, String key, ObjectNode r, Cpu cpu, double offered, ObjectNode fig, ObjectNode raw) {
        long events = r.path("windowEvents").asLong();
        cpu.put(r, events);
        raw.set(key, r);
        // A proxy that cannot carry the offered rate leaves echoes outstanding when the generator stops waiting:
        // that is a result (the report flags the rate it achieved), not a failed run; a wrong echo or an error is.
        long bad = r.path("mismatches").asLong() + r.path("connectFailures").asLong() + r.path("errors").asLong();
        if (bad > 0 || r.path("open").asInt(1) == 0 || events <= 0) {
            throw new IllegalStateException(key + " not clean: " + r);
        }
        if (r.path("lost").asLong() > 0) {
            log(t.name + " " + key + ": " + r.path("lost").asLong() + " not answered when the run ended (behind)");
        }
        if (r.has("proxyCpuUsPerMsg")) {
            fig.put(key + ".cpuUs", r.get("proxyCpuUsPerMsg").asDouble());
        }
        double ends = r.path("cpu").path("endsCpuSeconds").asDouble(-1);
        if (ends >= 0 && events > 0) {
            fig.put(key + ".endsCpuUs", ends * 1e6 / events);
        }
        // The upstream is a Jetty 12 server answering from memory: what one exchange costs a Jetty server, with no
        // proxying, which is the floor under any proxy whose client side is Jetty.
        double upstream = r.path("cpu").path("upstreamCpuSeconds").asDouble(-1);
        if (upstream >= 0 && events > 0) {
            fig.put(key + ".upstreamCpuUs", upstream * 1e6 / events);
        }
        fig.put(key + ".p50", r.path("p50Ms").asDouble());
        fig.put(key + ".p99", r.path("p99Ms").asDouble());
        // Below 95 % of the offered rate the generator (or the proxy) did not keep the schedule: the report flags it.
        fig.put(key + ".achieved", r.path("achievedPerSec").asDouble() / offered);
        // A JVM still compiling its path in the window bills the compiler to every event: the report flags that too.
        if (r.path("cpu").has("proxyCompilerShare")) {
            fig.put(key + ".jit", r.path("cpu").path("proxyCompilerShare").asDouble());
        }
    }

    /**
     * System calls of the proxy per echoed 64 B message at the fixed WebSocket rate, by name: {@code strace -c -f}
     * attached to every process of the proxy (all threads) for the loadgen's measured window, in a pass of its own.
     */
    private void syscalls(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        Path file = work.resolve("strace-" + t.name + ".txt");
        Files.deleteIfExists(file);
        Proc[] strace = {null};
        JsonNode r = loadgen(t, "syscalls", List.of("--mode", "latency", "--url", t.ws("/ws"),
                "--connections", String.valueOf(rates.wsConnections()), "--size", "64",
                // The CPU pass before it ran the same load: counting calls needs no compiled path, only a steady one.
                "--rate", String.valueOf(rates.wsRate()), "--warmup", String.valueOf(Math.min(rates.warmup(), 2)),
                "--duration", String.valueOf(Math.min(rates.duration(), 5))), (line, lg) -> {
                    if (line.equals("MEASURE")) {
                        List<String> cmd = new ArrayList<>(List.of(args.get("strace", "strace"), "-c", "-f",
                                "-o", file.toString()));
                        for (long pid : t.proc.pids()) {
                            cmd.addAll(List.of("-p", Long.toString(pid)));
                        }
                        strace[0] = Proc.start("strace", cmd, logs.resolve("strace-" + t.name + ".log"), null);
                    } else if (line.equals("MEASURED") && strace[0] != null) {
                        // strace detaches and writes its summary on SIGTERM.
                        strace[0].close();
                    }
                }, rates.warmup() + rates.duration() + 30);
        if (strace[0] != null) {
            strace[0].close();
        }
        long events = r.path("windowEvents").asLong();
        if (!Files.exists(file) || events <= 0) {
            throw new IllegalStateException("no strace summary (is ptrace permitted?); see "
                    + logs.resolve("strace-" + t.name + ".log"));
        }
        ObjectNode rec = raw.putObject("syscalls");
        rec.set("loadgen", r);
        rec.put("messages", events);
        ObjectNode perMessage = rec.putObject("perMessage");
        ObjectNode errorsPerMessage = rec.putObject("errorsPerMessage");
        long total = 0;
        for (Map.Entry<String, long[]> e : parseStrace(Files.readAllLines(file)).entrySet()) {
            perMessage.put(e.getKey(), (double) e.getValue()[0] / events);
            if (e.getValue()[1] > 0) {
                errorsPerMessage.put(e.getKey(), (double) e.getValue()[1] / events);
            }
            total += e.getValue()[0];
        }
        fig.put("rate.ws64.syscalls", (double) total / events);
    }

    /** {@code strace -c} summary rows: name → {calls, errors}; the total row is left out. */
    public static Map<String, long[]> parseStrace(List<String> lines) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // % time, seconds, usecs/call, calls, [errors,] syscall
            if (f.length < 5 || f.length > 6 || !f[0].matches("[0-9.]+") || f[f.length - 1].equals("total")) {
                continue;
            }
            try {
                long calls = Long.parseLong(f[3]);
                long errors = f.length == 6 ? Long.parseLong(f[4]) : 0;
                out.put(f[f.length - 1], new long[] {calls, errors});
            } catch (NumberFormatException e) {
                // a header or separator line
            }
        }
        return out;
    }

    /**
     * Headless Chromium loads the upstream's dev-server page (300 ES modules, one WebSocket) through the contender:
     * medians over {@code rates.pageRepeats()} loads of the time to {@code load} and to the WebSocket's first message.
     */
    private void pageLoad(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        String chromium = args.get("chromium", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            throw new IllegalStateException("no chromium at " + chromium);
        }
        ObjectNode cfg = LoadGen.JSON.createObjectNode();
        cfg.put("chromium", chromium);
        cfg.put("url", t.http("/page/index.html"));
        if (t.token() != null) {
            cfg.put("token", t.token());
        }
        cfg.put("repeats", rates.pageRepeats());
        cfg.put("warmups", quick ? 1 : 2);
        cfg.put("modules", Upstream.PAGE_MODULES);
        String output = Proc.run("pageload", ends(List.of(args.get("node", "node"),
                bench.resolve("pageload/pageload.mjs").toString(), LoadGen.JSON.writeValueAsString(cfg))),
                logs.resolve("pageload-" + t.name + ".log"), 300);
        String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no page-load result: " + output));
        JsonNode r = LoadGen.JSON.readTree(line.substring("RESULT ".length()));
        raw.set("page", r);
        if (r.has("error")) {
            throw new IllegalStateException("page load failed: " + r.get("error").asText());
        }
        fig.put("page.load", r.get("loadP50Ms").asDouble());
        fig.put("page.wsFirst", r.get("wsFirstP50Ms").asDouble());
    }

    // ------------------------------------------------------------------------------------------ HTTP

    /**
     * A CPU profile of a Java contender (JFR execution samples every millisecond) under the 64 B × 50 connections
     * WebSocket load and under wrk, summarised by {@link JfrTop} into {@code profiles/NAME-ws.txt} and
     * {@code -http.txt} beside the results. Taken after the measured runs so that it does not disturb them.
     */
    private void profile(Target t) throws Exception {
        Path dir = out.resolve("profiles");
        Files.createDirectories(dir);
        Path jfc = work.resolve("cpu.jfc");
        Files.writeString(jfc, """
                <?xml version="1.0" encoding="UTF-8"?>
                <configuration version="2.0" label="cpu" description="CPU samples only, every millisecond">
                  <event name="jdk.ExecutionSample">
                    <setting name="enabled">true</setting>
                    <setting name="period">1 ms</setting>
                  </event>
                </configuration>
                """);
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String pid = String.valueOf(t.proc.pid());
        for (String what : List.of("ws", "http")) {
            if (what.equals("ws") && !enabled("ws") || what.equals("http") && !enabled("http")) {
                continue;
            }
            Path jfr = work.resolve("jfr-" + t.name + "-" + what + ".jfr");
            Files.deleteIfExists(jfr);
            Proc.run("jcmd", List.of(jcmd, pid, "JFR.start", "name=bench", "settings=" + jfc, "filename=" + jfr),
                    logs.resolve("jcmd.log"), 60);
            double seconds = quick ? 3 : 10;
            if (what.equals("ws")) {
                loadgen(t, "profile", List.of("--mode", "throughput", "--url", t.ws("/ws"), "--connections", "50",
                        "--size", "64", "--window", "16", "--warmup", "0", "--duration", String.valueOf(seconds)),
                        l -> { }, seconds + 10);
            } else {
                List<String> cmd = new ArrayList<>(List.of(args.get("wrk", "wrk"), "-t2", "-c50",
                        "-d" + (int) seconds + "s", "-H", "X-Access-Token: " + t.token(), t.http("/small")));
                Proc.run("wrk", ends(cmd), logs.resolve("wrk-" + t.name + ".log"), (long) seconds + 30);
            }
            Proc.run("jcmd", List.of(jcmd, pid, "JFR.stop", "name=bench"), logs.resolve("jcmd.log"), 60);
            String summary = Proc.run("jfrtop", List.of(java, "-cp", args.require("tools-cp"),
                    "io.liteboxd.bench.JfrTop", "--in", jfr.toString(), "--top", "25"), logs.resolve("jfrtop.log"), 120);
            Files.writeString(dir.resolve(t.name + "-" + what + ".txt"), "CPU profile of " + t.name + " under "
                    + (what.equals("ws") ? "WebSocket 64 B x 50 connections x 16 in flight" : "wrk small GET, 50 connections")
                    + ", " + (int) seconds + " s\n\n" + summary);
        }
    }

    private void warmUp(Target t, boolean ws) throws Exception {
        // Every group that measures a path warms it: the fixed-rate and page-load figures too.
        boolean any = enabled("rate") || enabled("page");
        if (ws && (any || enabled("ws"))) {
            loadgen(t, "warm-up", List.of("--mode", "throughput", "--url", t.ws("/ws"), "--connections", "50",
                    "--size", "64", "--window", "16", "--warmup", "0", "--duration", String.valueOf(plan.warmUp())),
                    l -> { }, plan.warmUp() + 10);
            // Handshakes as fast as they go: at the fixed-rate figure's own 200/s, 20 s left a JVM's compiler with a
            // fifth of the window's CPU still to spend on the upgrade path.
            loadgen(t, "warm-up-handshakes", List.of("--mode", "handshake", "--url", t.ws("/ws"), "--concurrency",
                    String.valueOf(plan.hsConcurrency()), "--warmup", "0", "--duration", String.valueOf(plan.warmUp())),
                    l -> { }, plan.warmUp() + 10);
        }
        if (any || enabled("http")) {
            List<String> cmd = new ArrayList<>(List.of(args.get("wrk", "wrk"), "-t2", "-c50",
                    "-d" + (int) Math.ceil(plan.warmUp()) + "s"));
            if (t.token() != null) {
                cmd.addAll(List.of("-H", "X-Access-Token: " + t.token()));
            }
            cmd.add(t.http("/small"));
            Proc.run("wrk", ends(cmd), logs.resolve("wrk-" + t.name + ".log"), (long) plan.warmUp() + 30);
        }
    }

    private void httpGet(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        List<String> base = new ArrayList<>(List.of(args.get("wrk", "wrk"), "-t2",
                "-c" + plan.wrkConnections(), "--timeout", "10s", "-s", bench.resolve("wrk/report.lua").toString()));
        if (t.token() != null) {
            base.addAll(List.of("-H", "X-Access-Token: " + t.token()));
        }
        List<String> warm = new ArrayList<>(base);
        warm.addAll(List.of("-d" + (int) Math.ceil(plan.wrkWarmup()) + "s", t.http("/small")));
        Proc.run("wrk", ends(warm), logs.resolve("wrk-" + t.name + ".log"), (long) plan.wrkWarmup() + 30);
        List<String> measure = new ArrayList<>(base);
        measure.addAll(List.of("-d" + (int) Math.ceil(plan.wrkDuration()) + "s", t.http("/small")));
        double cpu0 = t.proc == null ? 0 : ProcStats.cpuSeconds(t.proc.pids());
        String output = Proc.run("wrk", ends(measure), logs.resolve("wrk-" + t.name + ".log"),
                (long) plan.wrkDuration() + 30);
        double cpu = t.proc == null ? 0 : ProcStats.cpuSeconds(t.proc.pids()) - cpu0;
        String json = output.lines().filter(l -> l.startsWith("WRKJSON ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no wrk report: " + output));
        JsonNode r = LoadGen.JSON.readTree(json.substring("WRKJSON ".length()));
        if (t.proc != null && r.get("requests").asLong() > 0) {
            ((ObjectNode) r).put("proxyCpuUsPerRequest", cpu * 1e6 / r.get("requests").asLong());
            fig.put("http.get.proxyCpuUs", cpu * 1e6 / r.get("requests").asLong());
        }
        raw.set("wrk", r);
        if (r.get("errors").asLong() > 0 || r.get("non2xx").asLong() > 0) {
            throw new IllegalStateException("wrk saw errors: " + r);
        }
        fig.put("http.get.rps", r.get("rps").asDouble());
        fig.put("http.get.p50", r.get("p50Ms").asDouble());
        fig.put("http.get.p99", r.get("p99Ms").asDouble());
        fig.put("http.get.p999", r.get("p999Ms").asDouble());
    }

    private void httpTransfer(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        long bytes = plan.transferBytes();
        Path file = work.resolve("upload-" + bytes + ".bin");
        if (!Files.exists(file) || Files.size(file) != bytes) {
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) ('A' + i % 23);
            }
            try (var os = Files.newOutputStream(file)) {
                for (long w = 0; w < bytes; w += chunk.length) {
                    os.write(chunk, 0, (int) Math.min(chunk.length, bytes - w));
                }
            }
        }
        List<Double> down = new ArrayList<>();
        List<Double> up = new ArrayList<>();
        ArrayNode rec = raw.putArray("transfer");
        for (int i = 0; i < plan.transferTries(); i++) {
            List<String> cmd = curl(t);
            cmd.addAll(List.of("-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
                    t.http("/download?bytes=" + bytes)));
            String[] o = Proc.run("curl", ends(cmd), logs.resolve("curl-" + t.name + ".log"), 120).trim().split(" ");
            if (!o[0].equals("200") || Long.parseLong(o[1]) != bytes) {
                throw new IllegalStateException("download incomplete: " + String.join(" ", o));
            }
            down.add(bytes / Double.parseDouble(o[2]) / 1e6);
            cmd = curl(t);
            cmd.addAll(List.of("-T", file.toString(), "-H", "Expect:", "-H", "Content-Type: application/octet-stream",
                    "-w", "\n%{http_code} %{time_total}", t.http("/upload")));
            String outText = Proc.run("curl", ends(cmd), logs.resolve("curl-" + t.name + ".log"), 120).trim();
            String[] lines = outText.split("\n");
            String[] status = lines[lines.length - 1].trim().split(" ");
            if (!status[0].equals("200") || !outText.contains("\"received\":" + bytes)) {
                throw new IllegalStateException("upload incomplete: " + outText);
            }
            up.add(bytes / Double.parseDouble(status[1]) / 1e6);
            rec.addObject().put("downloadMBps", down.get(i)).put("uploadMBps", up.get(i));
        }
        fig.put("http.download.MBps", Stats.median(down));
        fig.put("http.upload.MBps", Stats.median(up));
    }

    private List<String> curl(Target t) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "100"));
        if (t.token() != null) {
            cmd.addAll(List.of("-H", "X-Access-Token: " + t.token()));
        }
        return cmd;
    }

    private void httpTtfb(Target t, ObjectNode fig, ObjectNode raw) throws Exception {
        // Each streamed request comes on a new connection, a path the keep-alive warm-ups never run often enough to
        // compile: without this, a Java contender's figure is its interpreter's. New connections first, then streams.
        List<String> warm = new ArrayList<>(List.of(args.get("wrk", "wrk"), "-t1", "-c4",
                "-d" + (int) Math.ceil(plan.warmUp()) + "s", "-H", "Connection: close"));
        if (t.token() != null) {
            warm.addAll(List.of("-H", "X-Access-Token: " + t.token()));
        }
        warm.add(t.http("/small"));
        Proc.run("wrk", ends(warm), logs.resolve("wrk-" + t.name + ".log"), (long) plan.warmUp() + 30);
        loadgen(t, "ttfb-warm-up", List.of("--mode", "ttfb", "--url", t.http("/sse"),
                "--requests", String.valueOf(plan.ttfbRequests())), l -> { }, plan.ttfbRequests() * 2.0);
        JsonNode r = loadgen(t, "ttfb", List.of("--mode", "ttfb", "--url", t.http("/sse"),
                "--requests", String.valueOf(plan.ttfbRequests())), l -> { }, plan.ttfbRequests() * 2.0);
        raw.set("ttfb", r);
        fig.put("http.ttfb.first", r.get("firstEventP50Ms").asDouble());
        fig.put("http.ttfb.headers", r.get("headersP50Ms").asDouble());
    }

    /** Whether something listens on the port (used by tests). */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
