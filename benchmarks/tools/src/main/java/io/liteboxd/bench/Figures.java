package io.liteboxd.bench;

import java.util.List;

/** Every figure the suite reports, in table order. */
public final class Figures {

    /**
     * One row of the results table.
     *
     * @param key          key in the per-contender figure maps
     * @param group        table section
     * @param label        row label
     * @param unit         unit printed after the value
     * @param higherBetter direction (for reading the ratios)
     * @param proxyOnly    a figure of the proxy process, so none for "direct"
     * @param alsoKey      a second figure shown in the same cell (e.g. MB/s beside msgs/s), or null
     * @param alsoUnit     its unit
     */
    public record Figure(String key, String group, String label, String unit, boolean higherBetter,
                         boolean proxyOnly, String alsoKey, String alsoUnit) {
    }

    public static final String RATE = "Fixed offered rates: what each message, request and handshake costs";
    public static final String PAGE = "Page load";
    public static final String WS = "WebSocket";
    public static final String HTTP = "HTTP";

    public static final List<Figure> ALL = List.of(
            new Figure("rate.ws64.cpuUs", RATE, "proxy CPU per WS message, 64 B at 10,000 msg/s × 50 conns", "µs",
                    false, true, null, null),
            new Figure("rate.ws64.syscalls", RATE, "proxy system calls per WS message, 64 B at 10,000 msg/s",
                    "calls", false, true, null, null),
            new Figure("rate.ws64.endsCpuUs", RATE, "load generator + upstream CPU per WS message, 64 B", "µs", false,
                    false, null, null),
            new Figure("rate.ws4k.cpuUs", RATE, "proxy CPU per WS message, 4 KiB at 10,000 msg/s × 50 conns", "µs",
                    false, true, null, null),
            new Figure("rate.get.cpuUs", RATE, "proxy CPU per small GET at 2,000 req/s × 50 conns", "µs", false, true,
                    null, null),
            new Figure("rate.get.endsCpuUs", RATE, "load generator + upstream CPU per small GET", "µs", false,
                    false, null, null),
            new Figure("rate.get.upstreamCpuUs", RATE,
                    "upstream CPU per small GET (a Jetty 12 server answering 128 B from memory)", "µs", false, false,
                    null, null),
            new Figure("rate.hs.cpuUs", RATE, "proxy CPU per WS handshake (+ close) at 200/s", "µs", false, true,
                    null, null),
            new Figure("rate.ws64.p50", RATE, "WS round trip, 64 B at 10,000 msg/s, p50", "ms", false, false, null,
                    null),
            new Figure("rate.ws64.p99", RATE, "WS round trip, 64 B at 10,000 msg/s, p99", "ms", false, false, null,
                    null),
            new Figure("rate.ws4k.p50", RATE, "WS round trip, 4 KiB at 10,000 msg/s, p50", "ms", false, false, null,
                    null),
            new Figure("rate.ws4k.p99", RATE, "WS round trip, 4 KiB at 10,000 msg/s, p99", "ms", false, false, null,
                    null),
            new Figure("rate.get.p50", RATE, "small GET at 2,000 req/s, p50", "ms", false, false, null, null),
            new Figure("rate.get.p99", RATE, "small GET at 2,000 req/s, p99", "ms", false, false, null, null),
            new Figure("rate.hs.p50", RATE, "WS handshake at 200/s, p50", "ms", false, false, null, null),
            new Figure("rate.hs.p99", RATE, "WS handshake at 200/s, p99", "ms", false, false, null, null),
            new Figure("page.load", PAGE, "page with 300 ES modules: time to load", "ms", false, false, null, null),
            new Figure("page.wsFirst", PAGE, "page with 300 ES modules: time to the WebSocket's first message", "ms",
                    false, false, null, null),
            tput("64B", 1), tput("64B", 50), tput("64B", 500),
            tput("64KiB", 1), tput("64KiB", 50), tput("64KiB", 500),
            new Figure("ws.64B.c50.proxyCpuUs", WS, "proxy CPU per message, 64 B × 50 conns", "µs", false, true,
                    null, null),
            new Figure("ws.64KiB.c50.proxyCpuUs", WS, "proxy CPU per message, 64 KiB × 50 conns", "µs", false, true,
                    null, null),
            new Figure("ws.hs.rate", WS, "handshakes", "/s", true, false, null, null),
            new Figure("ws.hs.p50", WS, "handshake latency p50", "ms", false, false, null, null),
            new Figure("ws.hs.p99", WS, "handshake latency p99", "ms", false, false, null, null),
            new Figure("ws.idle.heapPerConn", WS, "idle connections: heap per connection", "KiB", false, true,
                    null, null),
            new Figure("ws.idle.rssPerConn", WS, "idle connections: RSS per connection", "KiB", false, true,
                    null, null),
            new Figure("ws.idle.threads0", WS, "idle connections: threads before", "", false, true, null, null),
            new Figure("ws.idle.threadsFirst", WS, "idle connections: threads at the first step", "", false, true,
                    null, null),
            new Figure("ws.idle.threadsN", WS, "idle connections: threads with all open", "", false, true, null,
                    null),
            new Figure("ws.big.heapGrowth", WS, "64 MiB message: retained heap growth (peak)", "MiB", false, true,
                    null, null),
            new Figure("ws.big.heapPeakGrowth", WS, "64 MiB message: heap high-water growth, garbage included",
                    "MiB", false, true, null, null),
            new Figure("ws.big.rssGrowth", WS, "64 MiB message: peak RSS growth", "MiB", false, true, null, null),
            new Figure("ws.big.seconds", WS, "64 MiB message: round trip", "s", false, false, null, null),
            new Figure("ws.slow.heapGrowth", WS, "slow reader (5 s of 64 KiB flood): retained heap growth", "MiB",
                    false, true, null, null),
            new Figure("ws.slow.rssGrowth", WS, "slow reader: peak RSS growth", "MiB", false, true, null, null),
            new Figure("http.get.rps", HTTP, "small GET (wrk, 50 connections)", "req/s", true, false, null, null),
            new Figure("http.get.proxyCpuUs", HTTP, "proxy CPU per small GET", "µs", false, true, null, null),
            new Figure("http.get.p50", HTTP, "small GET latency p50", "ms", false, false, null, null),
            new Figure("http.get.p99", HTTP, "small GET latency p99", "ms", false, false, null, null),
            new Figure("http.get.p999", HTTP, "small GET latency p99.9", "ms", false, false, null, null),
            new Figure("http.download.MBps", HTTP, "100 MiB download", "MB/s", true, false, null, null),
            new Figure("http.upload.MBps", HTTP, "100 MiB upload", "MB/s", true, false, null, null),
            new Figure("http.ttfb.first", HTTP, "streamed response (SSE): time to first event", "ms", false, false,
                    null, null),
            new Figure("http.ttfb.headers", HTTP, "streamed response (SSE): time to headers", "ms", false, false,
                    null, null));

    /** Kept in results.json but not printed (in every contender so far they equal the time to first event). */
    public static final java.util.Set<String> HIDDEN = java.util.Set.of("http.ttfb.headers");

    private Figures() {
    }

    static Figure tput(String size, int connections) {
        boolean small = size.equals("64B");
        String base = "ws." + size + ".c" + connections;
        String label = "throughput " + (small ? "64 B" : "64 KiB") + " × " + connections + " conn"
                + (connections == 1 ? "" : "s");
        return new Figure(base + ".msgs", WS, label, "msg/s", true, false, base + ".MBps", "MB/s");
    }

    /** The fixed-rate figures' key (without suffix) of a WebSocket message size: 64 or 4096. */
    public static String rateWsKey(int size) {
        return size == 64 ? "rate.ws64" : "rate.ws4k";
    }

    /** Share of the offered rate achieved in each fixed-rate run (kept in results.json, checked by the report). */
    public static final List<String> ACHIEVED = List.of("rate.ws64.achieved", "rate.ws4k.achieved",
            "rate.get.achieved", "rate.hs.achieved");

    /** Share of the proxy's CPU in each fixed-rate window spent by JIT compiler threads (checked by the report). */
    public static final List<String> JIT = List.of("rate.ws64.jit", "rate.ws4k.jit", "rate.get.jit", "rate.hs.jit");

    public static String tputKey(int size, int connections) {
        return "ws." + (size == 64 ? "64B" : "64KiB") + ".c" + connections;
    }
}
