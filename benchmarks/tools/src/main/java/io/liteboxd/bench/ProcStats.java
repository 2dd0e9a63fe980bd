package io.liteboxd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads /proc/PID/status of a process tree: resident memory, its peak, threads. */
public final class ProcStats {

    public record Sample(long rssBytes, long hwmBytes, int threads, int processes) {
    }

    private ProcStats() {
    }

    public static Sample sample(List<Long> pids) {
        long rss = 0;
        long hwm = 0;
        int threads = 0;
        int procs = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss += kib(line) * 1024;
                    } else if (line.startsWith("VmHWM:")) {
                        hwm += kib(line) * 1024;
                    } else if (line.startsWith("Threads:")) {
                        threads += Integer.parseInt(line.substring(8).trim());
                    }
                }
                procs++;
            } catch (IOException | RuntimeException e) {
                // the process ended between listing and reading
            }
        }
        return new Sample(rss, hwm, threads, procs);
    }

    /** Resets the peak-RSS counter (VmHWM) of each process (Linux: write 5 to clear_refs). */
    public static void resetPeak(List<Long> pids) {
        for (long pid : pids) {
            try {
                Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            } catch (IOException e) {
                // not permitted here: the peak then counts from process start, which only overstates it
            }
        }
    }

    /** User + system CPU time of the processes, in seconds (from /proc/PID/stat, clock ticks of 1/100 s). */
    public static double cpuSeconds(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // ended
            }
        }
        return ticks / 100.0;
    }

    /**
     * CPU time, in seconds, of the JVM's JIT compiler threads ({@code C1/C2 CompilerThread*}) of the processes: what
     * a figure measured on a JVM that is still compiling its hot path carries on top of the steady state.
     */
    public static double compilerCpuSeconds(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        }
                    } catch (IOException | RuntimeException e) {
                        // the thread ended
                    }
                }
            } catch (IOException | RuntimeException e) {
                // ended
            }
        }
        return ticks / 100.0;
    }

    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
    }
}
