package io.liteboxd.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the suite ran on. */
final class Machine {

    private Machine() {
    }

    static ObjectNode describe(Path bench, Path logs) {
        ObjectNode m = LoadGen.JSON.createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", firstMatch("/proc/cpuinfo", "model name"));
        String mem = firstMatch("/proc/meminfo", "MemTotal");
        m.put("memory", mem == null ? null : mem.trim());
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("schedAutogroup", read("/proc/sys/kernel/sched_autogroup_enabled"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        m.put("nginx", version(List.of("nginx", "-v"), logs));
        m.put("node", version(List.of("node", "--version"), logs));
        m.put("wrk", version(List.of("wrk", "-v"), logs));
        m.put("curl", version(List.of("curl", "--version"), logs));
        m.put("httpProxy", nodePackageVersion(bench, "http-proxy"));
        m.put("jetty", org.eclipse.jetty.util.Jetty.VERSION);
        m.put("openFilesLimit", version(List.of("sh", "-c", "ulimit -n"), logs));
        return m;
    }

    static String loadAverage() {
        return read("/proc/loadavg");
    }

    static double load1() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String nodePackageVersion(Path bench, String name) {
        try {
            String json = Files.readString(bench.resolve("node_modules").resolve(name).resolve("package.json"));
            return LoadGen.JSON.readTree(json).path("version").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static String version(List<String> cmd, Path logs) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out.lines().findFirst().orElse("").trim();
        } catch (Exception e) {
            return null;
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (Exception e) {
            return null;
        }
    }

    private static String firstMatch(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return null;
    }
}
