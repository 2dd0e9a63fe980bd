package io.liteboxd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * Turns {@code results.json} into medians and ratios ({@link #aggregate}) and into {@code results.md} and
 * {@code latency.png} ({@link #write}). Runnable on its own: {@code Report --in results.json --out DIR}.
 */
public final class Report {

    /** Column order of the tables. */
    static final List<String> ORDER = List.of("direct", "gateway", "tomcat", "nginx", "node", "jetty-proxy",
            "smiley", "jetty-proxy-tomcat", "smiley-tomcat");
    static final Map<String, String> TITLES = Map.of(
            "direct", "direct (no proxy)",
            "gateway", "**gateway** (library in Jetty 12)",
            "tomcat", "**library in Tomcat 11**",
            "nginx", "nginx",
            "node", "node http-proxy",
            "jetty-proxy", "Jetty AsyncProxyServlet",
            "smiley", "smiley-http-proxy-servlet",
            "jetty-proxy-tomcat", "Jetty AsyncProxyServlet in Tomcat 11",
            "smiley-tomcat", "smiley-http-proxy-servlet in Tomcat 11");
    /** The servlet proxies hosted by the same container as each of the library's contenders. */
    static final Map<String, List<String>> SAME_CONTAINER = Map.of(
            "gateway", List.of("jetty-proxy", "smiley"),
            "tomcat", List.of("jetty-proxy-tomcat", "smiley-tomcat"));
    /** Every row that measures a proxied HTTP request, at the fixed rate and at saturation. */
    static final List<String> SERVLET_ROWS = List.of("rate.get.cpuUs", "rate.get.p50", "rate.get.p99",
            "http.get.rps", "http.get.proxyCpuUs", "http.get.p50", "http.get.p99", "http.get.p999",
            "http.download.MBps", "http.upload.MBps", "http.ttfb.first");

    private Report() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        ObjectNode results = (ObjectNode) LoadGen.JSON.readTree(Files.readString(Path.of(a.require("in"))));
        aggregate(results);
        write(results, Path.of(a.get("out", Path.of(a.require("in")).toAbsolutePath().getParent().toString())));
    }

    /** Adds {@code summary}: per contender and figure the values of every run, their median, and median ratios. */
    public static void aggregate(ObjectNode results) {
        List<JsonNode> runs = new ArrayList<>();
        results.path("runs").forEach(runs::add);
        ObjectNode summary = results.putObject("summary");
        for (String c : ORDER) {
            ObjectNode cs = null;
            for (Figures.Figure f : Figures.ALL) {
                for (String key : keysOf(f)) {
                    List<Double> values = new ArrayList<>();
                    List<Double> vsDirect = new ArrayList<>();
                    List<Double> vsNginx = new ArrayList<>();
                    for (JsonNode run : runs) {
                        JsonNode figs = run.path("figures");
                        Double v = value(figs, c, key);
                        if (v == null) {
                            continue;
                        }
                        values.add(v);
                        Double d = value(figs, "direct", key);
                        Double n = value(figs, "nginx", key);
                        if (d != null && d != 0) {
                            vsDirect.add(v / d);
                        }
                        if (n != null && n != 0) {
                            vsNginx.add(v / n);
                        }
                    }
                    if (values.isEmpty()) {
                        continue;
                    }
                    if (cs == null) {
                        cs = summary.putObject(c);
                    }
                    ObjectNode fs = cs.putObject(key);
                    fs.put("median", Stats.median(values));
                    values.forEach(fs.putArray("values")::add);
                    if (!vsDirect.isEmpty()) {
                        fs.put("vsDirect", Stats.median(vsDirect));
                    }
                    if (!vsNginx.isEmpty()) {
                        fs.put("vsNginx", Stats.median(vsNginx));
                    }
                }
            }
        }
        // Added p99 over direct, per run (for the latency target).
        for (String c : ORDER) {
            for (String key : List.of("http.get.p99", "rate.ws64.p50", "rate.ws64.p99", "rate.ws4k.p50",
                    "rate.ws4k.p99", "rate.get.p50", "rate.get.p99", "rate.hs.p50", "rate.hs.p99", "page.load",
                    "page.wsFirst")) {
                List<Double> added = new ArrayList<>();
                for (JsonNode run : runs) {
                    Double v = value(run.path("figures"), c, key);
                    Double d = value(run.path("figures"), "direct", key);
                    if (v != null && d != null) {
                        added.add(v - d);
                    }
                }
                if (!added.isEmpty() && summary.has(c)) {
                    ((ObjectNode) summary.get(c)).putObject(key + ".added").put("median", Stats.median(added));
                }
            }
        }
    }

    private static List<String> keysOf(Figures.Figure f) {
        List<String> keys = new ArrayList<>();
        keys.add(f.key());
        if (f.alsoKey() != null) {
            keys.add(f.alsoKey());
        }
        if (f.key().equals("ws.idle.threadsN")) {
            keys.add("ws.idle.connections");
        }
        if (f.key().equals("ws.idle.threadsFirst")) {
            keys.add("ws.idle.connectionsFirst");
        }
        return keys;
    }

    private static Double value(JsonNode figures, String contender, String key) {
        JsonNode v = figures.path(contender).path(key);
        return v.isNumber() ? v.asDouble() : null;
    }

    static Double median(JsonNode results, String contender, String key) {
        JsonNode v = results.path("summary").path(contender).path(key).path("median");
        return v.isNumber() ? v.asDouble() : null;
    }

    static Double ratio(JsonNode results, String contender, String key, String which) {
        JsonNode v = results.path("summary").path(contender).path(key).path(which);
        return v.isNumber() ? v.asDouble() : null;
    }

    // ------------------------------------------------------------------------------------------ Markdown

    public static void write(ObjectNode results, Path dir) throws IOException {
        Files.createDirectories(dir);
        aggregate(results);
        Files.writeString(dir.resolve("results.json"), Suite.JSON.writeValueAsString(results));
        boolean chart = Chart.render(results, dir.resolve("latency.png"));
        String md = markdown(results, chart) + profiles(dir.resolve("profiles"));
        Files.writeString(dir.resolve("results.md"), md);
    }

    static String markdown(JsonNode results, boolean chart) {
        StringBuilder md = new StringBuilder();
        JsonNode m = results.path("machine");
        int runs = results.path("runs").size();
        md.append("# liteboxd-proxy benchmark results\n\n");
        md.append("Run ").append(results.path("started").asText()).append(" to ")
                .append(results.path("finished").asText()).append(", mode `").append(results.path("mode").asText())
                .append("`, ").append(runs).append(runs == 1 ? " repeat" : " repeats")
                .append(" (each figure is the median over the repeats; each ratio is the median of the ratios taken "
                        + "within one repeat).\n\n");
        md.append("## Machine\n\n| | |\n|---|---|\n");
        row(md, "cores", m.path("cores").asText());
        row(md, "CPU", m.path("cpu").asText());
        row(md, "memory", m.path("memory").asText());
        row(md, "kernel", m.path("kernel").asText() + " (sched_autogroup " + m.path("schedAutogroup").asText() + ")");
        row(md, "JDK", m.path("jdk").asText());
        row(md, "nginx", m.path("nginx").asText());
        row(md, "node / http-proxy", m.path("node").asText() + " / " + m.path("httpProxy").asText());
        row(md, "Jetty (gateway, upstream, load generator)", m.path("jetty").asText());
        row(md, "wrk", m.path("wrk").asText());
        row(md, "open files limit", m.path("openFilesLimit").asText());
        row(md, "CPU placement", m.path("pinning").asText("none"));
        StringBuilder loads = new StringBuilder();
        for (JsonNode run : results.path("runs")) {
            loads.append("repeat ").append(run.path("repeat").asInt()).append(": ")
                    .append(firstThree(run.path("loadBefore").asText())).append(" → ")
                    .append(firstThree(run.path("loadAfter").asText())).append("; ");
        }
        row(md, "load average (1/5/15 min) before → after", loads.toString());
        md.append("\nEvery process is started in a session of its own (`setsid`), so with autogroup scheduling each "
                + "gets a fair share of the CPU it may use whatever its thread count; with CPU placement, the load "
                + "generator and the upstream never compete with the proxy. Absolute numbers move with whatever "
                + "else runs on the machine; compare ratios taken in the same run.\n\n");

        List<String> flags = new ArrayList<>();
        appendTable(md, results, Figures.RATE, ORDER, flags);
        appendSyscalls(md, results);
        appendTable(md, results, Figures.PAGE, List.of("direct", "gateway", "tomcat", "nginx", "node"), flags);
        appendTable(md, results, Figures.WS, List.of("direct", "gateway", "tomcat", "nginx", "node"), flags);
        appendTable(md, results, Figures.HTTP, ORDER, flags);
        appendHarness(md, results, flags);
        appendTargets(md, results);
        appendRateTargets(md, results);
        appendServletTargets(md, results);
        appendNoise(md, results);
        if (chart) {
            md.append("\n## Latency distributions\n\n![latency distributions](latency.png)\n\n"
                    + "Left: WebSocket round trip of 64 B messages at a fixed offered rate (the run with the median "
                    + "p99 of each contender). Right: small HTTP GET under wrk. Both axes logarithmic.\n");
        }
        appendFailures(md, results);
        return md.toString();
    }

    /** The bucket breakdown of each CPU profile the suite wrote (what stands between a target and the gateway). */
    static String profiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Where the CPU goes (JFR, after the last repeat)\n\n");
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            md.append("**").append(lines.isEmpty() ? f.getFileName().toString() : lines.get(0)).append("** ([")
                    .append(f.getFileName()).append("](profiles/").append(f.getFileName()).append("))\n\n```\n");
            boolean in = false;
            for (String line : lines) {
                if (line.startsWith("by bucket")) {
                    in = true;
                    continue;
                }
                if (in && line.isBlank()) {
                    break;
                }
                if (in) {
                    md.append(line).append('\n');
                }
            }
            md.append("```\n\n");
        }
        return md.toString();
    }

    private static String firstThree(String loadavg) {
        String[] p = loadavg.split(" ");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : loadavg;
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static void appendTable(StringBuilder md, JsonNode results, String group, List<String> columns,
                                    List<String> flags) {
        List<String> present = new ArrayList<>();
        for (String c : columns) {
            if (results.path("summary").has(c)) {
                present.add(c);
            }
        }
        boolean anyRow = Figures.ALL.stream().anyMatch(f -> f.group().equals(group)
                && present.stream().anyMatch(c -> median(results, c, f.key()) != null));
        if (!anyRow) {
            return;
        }
        md.append("## ").append(group).append("\n\n| figure |");
        for (String c : present) {
            md.append(' ').append(TITLES.get(c)).append(" |");
        }
        md.append("\n|---|");
        present.forEach(c -> md.append("---:|"));
        md.append('\n');
        for (Figures.Figure f : Figures.ALL) {
            if (!f.group().equals(group) || Figures.HIDDEN.contains(f.key())) {
                continue;
            }
            boolean any = present.stream().anyMatch(c -> median(results, c, f.key()) != null);
            if (!any) {
                continue;
            }
            md.append("| ").append(f.label()).append(f.higherBetter() ? " ↑" : " ↓").append(" |");
            for (String c : present) {
                Double v = median(results, c, f.key());
                md.append(' ');
                if (v == null) {
                    md.append(f.proxyOnly() && c.equals("direct") ? "n/a" : "–");
                } else {
                    md.append(f.unit().isEmpty() ? String.format(Locale.ROOT, "%.0f", v) : format(v) + " " + f.unit());
                    if (f.alsoKey() != null && median(results, c, f.alsoKey()) != null) {
                        md.append(" · ").append(format(median(results, c, f.alsoKey()))).append(' ')
                                .append(f.alsoUnit());
                    }
                    if (f.key().equals("ws.idle.threadsN") && median(results, c, "ws.idle.connections") != null) {
                        md.append(" (").append(format(median(results, c, "ws.idle.connections"))).append(" conns)");
                    }
                    if (f.key().equals("ws.idle.threadsFirst")
                            && median(results, c, "ws.idle.connectionsFirst") != null) {
                        md.append(" (").append(format(median(results, c, "ws.idle.connectionsFirst")))
                                .append(" conns)");
                    }
                    String ratios = ratios(results, c, f);
                    Double added = median(results, c, f.key() + ".added");
                    if (f.group().equals(Figures.RATE) && added != null && !c.equals("direct")) {
                        // Latency at a fixed rate: what the proxy adds to the direct round trip is the figure.
                        Double n = ratio(results, c, f.key(), "vsNginx");
                        ratios = (added >= 0 ? "+" : "−") + format(Math.abs(added)) + " ms over d"
                                + (n != null && !c.equals("nginx") ? String.format(Locale.ROOT, " · ×n %.2f", n) : "");
                    }
                    if (!ratios.isEmpty()) {
                        md.append("<br><sub>").append(ratios).append("</sub>");
                    }
                    if (beatsDirect(results, c, f)) {
                        md.append(" ⚑");
                        flags.add(f.label() + ": " + TITLES.get(c) + " ("
                                + String.format(Locale.ROOT, "×d %.2f", ratio(results, c, f.key(), "vsDirect")) + ")");
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }
        md.append("\n↑ higher is better, ↓ lower is better. Under each value: ×d = ratio to direct, ×n = ratio to "
                + "nginx (value ÷ reference, so for ↓ figures below 1 is better).\n\n");
    }

    /**
     * Whether a proxy beat the direct connection (median of the per-repeat ratios): a proxy adds work to the same
     * two ends, so such a row measures the harness (e.g. frames coalesced so the ends do less), not the proxy.
     */
    static boolean beatsDirect(JsonNode results, String c, Figures.Figure f) {
        if (c.equals("direct") || f.proxyOnly()) {
            return false;
        }
        Double d = ratio(results, c, f.key(), "vsDirect");
        return d != null && (f.higherBetter() ? d > 1.0 : d < 1.0);
    }

    /** System calls per message by name at the fixed WebSocket rate (median over the repeats). */
    private static void appendSyscalls(StringBuilder md, JsonNode r) {
        List<String> cs = new ArrayList<>();
        Map<String, Map<String, List<Double>>> byName = new LinkedHashMap<>();
        Map<String, List<Double>> errors = new LinkedHashMap<>();
        for (String c : ORDER) {
            for (JsonNode run : r.path("runs")) {
                JsonNode sc = run.path("raw").path(c).path("syscalls");
                if (!sc.isObject()) {
                    continue;
                }
                if (!cs.contains(c)) {
                    cs.add(c);
                }
                double errs = 0;
                for (var it = sc.path("perMessage").fields(); it.hasNext(); ) {
                    var e = it.next();
                    byName.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(c, k -> new ArrayList<>()).add(e.getValue().asDouble());
                }
                for (var it = sc.path("errorsPerMessage").fields(); it.hasNext(); ) {
                    errs += it.next().getValue().asDouble();
                }
                errors.computeIfAbsent(c, k -> new ArrayList<>()).add(errs);
            }
        }
        if (cs.isEmpty()) {
            return;
        }
        md.append("### System calls per WebSocket message, by name\n\n`strace -c -f` attached to every process and "
                + "thread of the proxy for the measured window of a separate 64 B run at the same fixed rate "
                + "(strace slows the proxy down, so this pass is not the CPU pass); calls divided by the messages "
                + "echoed in that window (each echo crosses the proxy twice). Calls below 0.02 per message for "
                + "every contender are left out.\n\n| call |");
        cs.forEach(c -> md.append(' ').append(TITLES.get(c)).append(" |"));
        md.append("\n|---|");
        cs.forEach(c -> md.append("---:|"));
        md.append('\n');
        List<Map.Entry<String, Map<String, List<Double>>>> rows = new ArrayList<>(byName.entrySet());
        rows.sort((a, b) -> Double.compare(maxMedian(b.getValue()), maxMedian(a.getValue())));
        for (var row : rows) {
            if (maxMedian(row.getValue()) < 0.02) {
                continue;
            }
            md.append("| `").append(row.getKey()).append("` |");
            for (String c : cs) {
                List<Double> v = row.getValue().get(c);
                md.append(' ').append(v == null ? "0" : String.format(Locale.ROOT, "%.2f", Stats.median(v)))
                        .append(" |");
            }
            md.append('\n');
        }
        md.append("| failed calls (mostly `EAGAIN`) |");
        for (String c : cs) {
            List<Double> v = errors.get(c);
            md.append(' ').append(v == null ? "–" : String.format(Locale.ROOT, "%.2f", Stats.median(v))).append(" |");
        }
        md.append("\n\n");
    }

    private static double maxMedian(Map<String, List<Double>> perContender) {
        double max = 0;
        for (List<Double> v : perContender.values()) {
            max = Math.max(max, Stats.median(v));
        }
        return max;
    }

    /**
     * The harness check: rows where a proxy beat direct (marked ⚑ in the tables), and fixed-rate runs that did
     * not get their offered rate through (below 95 %: the load generator, or the proxy, fell behind the schedule)
     * or in which a JVM proxy's JIT compiler still took more than 5 % of its CPU.
     */
    private static void appendHarness(StringBuilder md, JsonNode r, List<String> flags) {
        md.append("## Harness check\n\n");
        if (flags.isEmpty()) {
            md.append("No proxy beat direct in any row.\n\n");
        } else {
            md.append("Rows where a proxy beat direct (⚑ above): the two ends did less work per message through that "
                    + "proxy than with each other (e.g. several frames arrive per read), or the machine's noise is "
                    + "larger than the difference; read these rows as the harness's, not the proxy's:\n\n");
            flags.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        List<String> late = flaggedWindows(r, Figures.ACHIEVED, v -> v < 0.95, "of the offered rate");
        if (late.isEmpty()) {
            md.append("Every fixed-rate run carried at least 95 % of its offered rate.\n\n");
        } else {
            md.append("Fixed-rate runs below 95 % of the offered rate (their CPU per event still holds; their "
                    + "latency includes the backlog):\n\n");
            late.forEach(l -> md.append("- ").append(l).append('\n'));
            md.append('\n');
        }
        List<String> compiling = flaggedWindows(r, Figures.JIT, v -> v > 0.05, "of the proxy's CPU");
        if (compiling.isEmpty()) {
            md.append("In no fixed-rate window did a JVM proxy's JIT compiler take more than 5 % of its CPU.\n\n");
        } else {
            md.append("Fixed-rate windows in which a JVM proxy was still compiling (JIT compiler threads above 5 % of "
                    + "its CPU; the figure overstates its steady state by about that much):\n\n");
            compiling.forEach(l -> md.append("- ").append(l).append('\n'));
            md.append('\n');
        }
    }

    /** "repeat N, contender, figure: P% what" for every fixed-rate share among {@code keys} that {@code flagged}. */
    private static List<String> flaggedWindows(JsonNode r, List<String> keys, DoublePredicate flagged,
                                               String what) {
        List<String> out = new ArrayList<>();
        for (JsonNode run : r.path("runs")) {
            for (String c : ORDER) {
                for (String key : keys) {
                    JsonNode v = run.path("figures").path(c).path(key);
                    if (v.isNumber() && flagged.test(v.asDouble())) {
                        out.add(String.format(Locale.ROOT, "repeat %d, %s, %s: %.0f%% %s", run.path("repeat").asInt(),
                                TITLES.get(c), key.substring(0, key.lastIndexOf('.')), 100 * v.asDouble(), what));
                    }
                }
            }
        }
        return out;
    }

    private static String ratios(JsonNode results, String c, Figures.Figure f) {
        if (f.key().startsWith("ws.idle.threads")) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        Double d = ratio(results, c, f.key(), "vsDirect");
        Double n = ratio(results, c, f.key(), "vsNginx");
        if (d != null && !c.equals("direct")) {
            sb.append("×d ").append(String.format(Locale.ROOT, "%.2f", d));
        }
        if (n != null && !c.equals("nginx")) {
            if (sb.length() > 0) {
                sb.append(" · ");
            }
            sb.append("×n ").append(String.format(Locale.ROOT, "%.2f", n));
        }
        return sb.toString();
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (a >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    // ------------------------------------------------------------------------------------------ targets

    record Target(String target, String contender, String measured, String goal, Boolean met, String margin) {
    }

    static List<Target> targets(JsonNode r) {
        List<Target> out = new ArrayList<>();
        for (String c : List.of("gateway", "tomcat")) {
            if (!r.path("summary").has(c)) {
                continue;
            }
            String k = "ws.64B.c50.msgs";
            ratioTarget(out, "WS 64 B throughput (50 conns) vs nginx", c, ratio(r, c, k, "vsNginx"), 1.0);
            ratioTarget(out, "WS 64 B throughput (50 conns) vs direct", c, ratio(r, c, k, "vsDirect"), 0.6);
            Double added = median(r, c, "rate.ws64.p99.added");
            Double nginxAdded = median(r, "nginx", "rate.ws64.p99.added");
            if (added != null && nginxAdded != null) {
                out.add(new Target("WS added p99 over direct ≤ nginx's", c, format(added) + " ms",
                        "≤ " + format(nginxAdded) + " ms", added <= nginxAdded,
                        String.format(Locale.ROOT, "%+.2f ms", added - nginxAdded)));
            }
            ratioTarget(out, "HTTP small GET req/s vs nginx", c, ratio(r, c, "http.get.rps", "vsNginx"), 1.0);
            Double rps = median(r, c, "http.get.rps");
            Double smiley = median(r, "smiley", "http.get.rps");
            Double vsSmiley = null;
            List<Double> perRun = new ArrayList<>();
            for (JsonNode run : r.path("runs")) {
                JsonNode a = run.path("figures").path(c).path("http.get.rps");
                JsonNode b = run.path("figures").path("smiley").path("http.get.rps");
                if (a.isNumber() && b.isNumber() && b.asDouble() > 0) {
                    perRun.add(a.asDouble() / b.asDouble());
                }
            }
            if (!perRun.isEmpty()) {
                vsSmiley = Stats.median(perRun);
            } else if (rps != null && smiley != null && smiley > 0) {
                vsSmiley = rps / smiley;
            }
            ratioTarget(out, "HTTP small GET req/s vs smiley", c, vsSmiley, 1.5);
            Double heap = median(r, c, "ws.idle.heapPerConn");
            Double n = median(r, c, "ws.idle.connections");
            if (heap != null) {
                out.add(new Target("idle WS connections: heap per connection (" + format(n == null ? 0 : n)
                        + " held)", c, format(heap) + " KiB", "≤ 64 KiB", heap <= 64,
                        String.format(Locale.ROOT, "%.2fx of the budget", heap / 64)));
            }
            Double t0 = median(r, c, "ws.idle.threads0");
            Double t1 = median(r, c, "ws.idle.threadsFirst");
            Double n1 = median(r, c, "ws.idle.connectionsFirst");
            Double tn = median(r, c, "ws.idle.threadsN");
            if (t0 != null && tn != null) {
                double grew = tn - t0;
                String path = String.format(Locale.ROOT, "%.0f → ", t0)
                        + (t1 == null ? "" : String.format(Locale.ROOT, "%.0f → ", t1))
                        + String.format(Locale.ROOT, "%.0f", tn);
                String margin = String.format(Locale.ROOT, "%+.0f threads from none open", grew);
                if (t1 != null && n1 != null) {
                    margin += String.format(Locale.ROOT, "; %+.0f from %s open to all", tn - t1, format(n1));
                }
                out.add(new Target("idle WS connections: thread count flat (none → first step → all open)", c,
                        path, "grows by ≤ 10", grew <= 10, margin));
            }
            Double big = median(r, c, "ws.big.heapGrowth");
            if (big != null) {
                out.add(new Target("64 MiB message: heap growth", c, format(big) + " MiB", "≤ 16 MiB", big <= 16,
                        String.format(Locale.ROOT, "%.2fx of the budget", big / 16)));
            }
            Double slow = median(r, c, "ws.slow.heapGrowth");
            if (slow != null) {
                out.add(new Target("slow reader: heap growth stays bounded", c, format(slow) + " MiB",
                        "≤ 16 MiB (buffers only)", slow <= 16, String.format(Locale.ROOT, "%.2fx", slow / 16)));
            }
        }
        return out;
    }

    private static void ratioTarget(List<Target> out, String what, String c, Double ratio, double goal) {
        if (ratio == null) {
            out.add(new Target(what, c, "not measured", "≥ " + goal + "x", null, ""));
            return;
        }
        out.add(new Target(what, c, String.format(Locale.ROOT, "%.2fx", ratio),
                String.format(Locale.ROOT, "≥ %.1fx", goal), ratio >= goal,
                String.format(Locale.ROOT, "%.0f%% of the target", 100 * ratio / goal)));
    }

    /** The targets of issue 15 (fixed-rate efficiency, handshakes, page load, SSE) as ratios taken in one run. */
    static List<Target> rateTargets(JsonNode r) {
        List<Target> out = new ArrayList<>();
        for (String c : List.of("gateway", "tomcat")) {
            if (!r.path("summary").has(c)) {
                continue;
            }
            atMost(out, "WS CPU per 64 B message at 10,000 msg/s vs nginx", c, ratio(r, c, "rate.ws64.cpuUs",
                    "vsNginx"), 1.0);
            atMost(out, "WS system calls per message vs nginx", c, ratio(r, c, "rate.ws64.syscalls", "vsNginx"),
                    1.1);
            ratioTarget(out, "WS 64 B saturated throughput (50 conns) vs nginx", c,
                    ratio(r, c, "ws.64B.c50.msgs", "vsNginx"), 1.0);
            ratioTarget(out, "WS handshakes/s vs nginx", c, ratio(r, c, "ws.hs.rate", "vsNginx"), 1.0);
            atMost(out, "WS handshake p99 vs nginx's", c, ratio(r, c, "ws.hs.p99", "vsNginx"), 1.5);
            atMost(out, "CPU per small GET at 2,000 req/s vs nginx", c, ratio(r, c, "rate.get.cpuUs", "vsNginx"),
                    1.0);
            ratioTarget(out, "small GET req/s (saturated) vs nginx", c, ratio(r, c, "http.get.rps", "vsNginx"), 1.0);
            atMost(out, "page load (300 modules + WebSocket) vs nginx", c, ratio(r, c, "page.load", "vsNginx"), 1.1);
            atMost(out, "SSE time to first event vs nginx", c, ratio(r, c, "http.ttfb.first", "vsNginx"), 1.5);
        }
        return out;
    }

    private static void atMost(List<Target> out, String what, String c, Double ratio, double goal) {
        if (ratio == null) {
            out.add(new Target(what, c, "not measured", "≤ " + goal + "x", null, ""));
            return;
        }
        out.add(new Target(what, c, String.format(Locale.ROOT, "%.2fx", ratio),
                String.format(Locale.ROOT, "≤ %.1fx", goal), ratio <= goal,
                String.format(Locale.ROOT, "%.0f%% of the limit", 100 * ratio / goal)));
    }

    private static void appendRateTargets(StringBuilder md, JsonNode r) {
        List<Target> targets = rateTargets(r);
        if (targets.stream().allMatch(t -> t.met() == null)) {
            return;
        }
        md.append("## Targets of issue 15\n\nEach a median of ratios to nginx taken within one repeat.\n\n"
                + "| target | contender | measured | target | met | how far |\n"
                + "|---|---|---:|---:|:---:|---|\n");
        for (Target t : targets) {
            if (t.met() == null) {
                continue;
            }
            md.append("| ").append(t.target()).append(" | ").append(t.contender()).append(" | ").append(t.measured())
                    .append(" | ").append(t.goal()).append(" | ").append(t.met() ? "yes" : "**no**").append(" | ")
                    .append(t.margin()).append(" |\n");
        }
        md.append('\n');
    }

    /**
     * The library against the best servlet proxy in its own container, row by row: in each repeat the library's
     * figure over the better of the two servlet proxies' figures in that repeat, then the median of those ratios.
     */
    static List<Target> servletTargets(JsonNode r) {
        List<Target> out = new ArrayList<>();
        for (String c : List.of("gateway", "tomcat")) {
            List<String> rivals = SAME_CONTAINER.get(c);
            for (String key : SERVLET_ROWS) {
                Figures.Figure f = Figures.ALL.stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow();
                List<Double> perRun = new ArrayList<>();
                Map<String, Integer> best = new LinkedHashMap<>();
                for (JsonNode run : r.path("runs")) {
                    JsonNode figs = run.path("figures");
                    Double lib = value(figs, c, key);
                    String bestName = null;
                    Double bestValue = null;
                    for (String rival : rivals) {
                        Double v = value(figs, rival, key);
                        if (v != null && (bestValue == null || (f.higherBetter() ? v > bestValue : v < bestValue))) {
                            bestName = rival;
                            bestValue = v;
                        }
                    }
                    if (lib != null && bestValue != null && bestValue > 0) {
                        perRun.add(lib / bestValue);
                        best.merge(bestName, 1, Integer::sum);
                    }
                }
                if (perRun.isEmpty()) {
                    continue;
                }
                double ratio = Stats.median(perRun);
                boolean met = f.higherBetter() ? ratio >= 1.0 : ratio <= 1.0;
                List<String> bests = new ArrayList<>();
                best.forEach((name, n) -> bests.add(TITLES.get(name) + (best.size() > 1 ? " (" + n + ")" : "")));
                out.add(new Target(f.label(), c, String.format(Locale.ROOT, "%.2fx", ratio),
                        (f.higherBetter() ? "≥" : "≤") + " 1.0x", met, String.join(", ", bests)));
            }
        }
        return out;
    }

    private static void appendServletTargets(StringBuilder md, JsonNode r) {
        List<Target> targets = servletTargets(r);
        if (targets.isEmpty()) {
            return;
        }
        md.append("## Targets of issue 15: the library vs the best servlet proxy in the same container\n\n"
                + "The gateway (the library in Jetty 12) against Jetty's AsyncProxyServlet and smiley-http-proxy-servlet "
                + "in the same Jetty setup; the library in Tomcat 11 against the same two servlets in the same Tomcat "
                + "setup. Each ratio is the library's figure over the better of the two servlets' figures in the same "
                + "repeat, median over the repeats: at least as fast means ≥ 1.0x for rates and ≤ 1.0x for CPU and "
                + "times. The best servlet proxy is named with the number of repeats it was the better one.\n\n"
                + "| row | library | vs best servlet proxy | target | met | best servlet proxy |\n"
                + "|---|---|---:|---:|:---:|---|\n");
        for (Target t : targets) {
            md.append("| ").append(t.target()).append(" | ").append(t.contender()).append(" | ").append(t.measured())
                    .append(" | ").append(t.goal()).append(" | ").append(t.met() ? "yes" : "**no**").append(" | ")
                    .append(t.margin()).append(" |\n");
        }
        md.append('\n');
    }

    private static void appendTargets(StringBuilder md, JsonNode r) {
        List<Target> targets = targets(r);
        if (targets.isEmpty()) {
            return;
        }
        md.append("## Targets of issue 5\n\nRead with the \"Noise\" section below: throughput and latency come from "
                + "a shared 2-core machine; the p99 target in particular is dominated by CPU starvation of every "
                + "process there, which the per-repeat values show.\n\n"
                + "| target | contender | measured | target | met | how far |\n"
                + "|---|---|---:|---:|:---:|---|\n");
        for (Target t : targets) {
            md.append("| ").append(t.target()).append(" | ").append(t.contender()).append(" | ").append(t.measured())
                    .append(" | ").append(t.goal()).append(" | ")
                    .append(t.met() == null ? "?" : t.met() ? "yes" : "**no**").append(" | ").append(t.margin())
                    .append(" |\n");
        }
        md.append('\n');
    }

    /** How much to trust the figures: spread over the repeats, CPU split, and how starved the load generator was. */
    private static void appendNoise(StringBuilder md, JsonNode r) {
        md.append("## Noise\n\n");
        md.append("Values of each repeat for the headline figures (the tables above show their median):\n\n"
                + "| figure | contender | per repeat |\n|---|---|---|\n");
        for (String key : List.of("rate.ws64.cpuUs", "rate.ws64.p50", "rate.ws64.p99", "rate.get.cpuUs",
                "ws.64B.c50.msgs", "ws.64B.c50.proxyCpuUs",
                "http.get.rps", "http.get.proxyCpuUs", "http.get.p99")) {
            for (String c : ORDER) {
                JsonNode values = r.path("summary").path(c).path(key).path("values");
                if (!values.isArray() || values.isEmpty()) {
                    continue;
                }
                List<String> v = new ArrayList<>();
                values.forEach(x -> v.add(format(x.asDouble())));
                md.append("| ").append(key).append(" | ").append(c).append(" | ").append(String.join(" · ", v))
                        .append(" |\n");
            }
        }
        md.append("\nCPU used during the measured window of \"throughput 64 B × 50 conns\" (cores, per repeat): "
                + "whether the load generator, the upstream or the proxy ran out of CPU; together they cannot use "
                + "more than the 2 cores, minus whatever else the machine was running.\n\n"
                + "| contender | proxy | upstream | load generator |\n|---|---|---|---|\n");
        for (String c : List.of("direct", "gateway", "tomcat", "nginx", "node")) {
            List<String> p = new ArrayList<>();
            List<String> u = new ArrayList<>();
            List<String> l = new ArrayList<>();
            for (JsonNode run : r.path("runs")) {
                JsonNode cpu = run.path("raw").path(c).path("ws.64B.c50").path("cpu");
                if (cpu.isObject()) {
                    p.add(String.format(Locale.ROOT, "%.2f", cpu.path("proxyCores").asDouble()));
                    u.add(String.format(Locale.ROOT, "%.2f", cpu.path("upstreamCores").asDouble()));
                    l.add(String.format(Locale.ROOT, "%.2f", cpu.path("loadgenCores").asDouble()));
                }
            }
            if (!p.isEmpty()) {
                md.append("| ").append(c).append(" | ").append(c.equals("direct") ? "–" : String.join(" · ", p))
                        .append(" | ").append(String.join(" · ", u)).append(" | ").append(String.join(" · ", l))
                        .append(" |\n");
            }
        }
        md.append("\nFixed-rate round trips (64 B at 10,000 msg/s): share of messages the load generator itself sent more than 1 ms late "
                + "(its sender thread did not get the CPU in time; such delays count as latency, for every "
                + "contender alike, because each message is timed from when it was due):\n\n"
                + "| contender | per repeat |\n|---|---|\n");
        for (String c : List.of("direct", "gateway", "tomcat", "nginx", "node")) {
            List<String> v = new ArrayList<>();
            for (JsonNode run : r.path("runs")) {
                JsonNode lat = run.path("raw").path(c).path("rate.ws64");
                if (lat.has("senderBehindOver1ms")) {
                    double total = lat.path("rate").asDouble() * (lat.path("seconds").asDouble()
                            + r.path("ratePlan").path("warmup").asDouble());
                    v.add(String.format(Locale.ROOT, "%.0f%%", 100 * lat.path("senderBehindOver1ms").asDouble()
                            / Math.max(1, total)));
                }
            }
            if (!v.isEmpty()) {
                md.append("| ").append(c).append(" | ").append(String.join(" · ", v)).append(" |\n");
            }
        }
        md.append('\n');
    }

    private static void appendFailures(StringBuilder md, JsonNode r) {
        Map<String, String> failures = new LinkedHashMap<>();
        for (JsonNode run : r.path("runs")) {
            String rep = "repeat " + run.path("repeat").asInt();
            if (run.has("error")) {
                failures.put(rep, run.get("error").asText());
            }
            run.path("startFailures").fields().forEachRemaining(e -> failures.put(rep + " " + e.getKey() + " start",
                    e.getValue().asText()));
            run.path("raw").fields().forEachRemaining(c -> c.getValue().fields().forEachRemaining(e -> {
                if (e.getKey().endsWith(".error")) {
                    failures.put(rep + " " + c.getKey() + " " + e.getKey().replace(".error", ""),
                            e.getValue().asText());
                }
            }));
        }
        if (failures.isEmpty()) {
            return;
        }
        md.append("\n## Failed measurements\n\n");
        failures.forEach((k, v) -> md.append("- ").append(k).append(": `")
                .append(v.length() > 300 ? v.substring(0, 300) + "…" : v).append("`\n"));
    }
}
