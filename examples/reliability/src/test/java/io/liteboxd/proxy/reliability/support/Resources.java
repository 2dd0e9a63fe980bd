package io.liteboxd.proxy.reliability.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What leaks look like from inside the JVM: threads by pool, open file descriptors, heap after a GC. */
public final class Resources {

    private Resources() {
    }

    public static int threads() {
        return Thread.activeCount() == 0 ? 0 : Thread.getAllStackTraces().size();
    }

    /**
     * Live threads grouped by name with digits removed ({@code gw-server-12} and {@code gw-server-40} are one
     * group), so a failure shows which pool grew.
     */
    public static Map<String, Integer> threadGroups() {
        Map<String, Integer> groups = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            groups.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        return groups;
    }

    /** Threads whose name starts with {@code prefix}. */
    public static int threads(String prefix) {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    /** Open file descriptors of this process (sockets included); Linux only, -1 elsewhere. */
    public static int openFds() {
        Path fd = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fd)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(fd)) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Heap in use after asking for full collections; good to a few MiB, which is all a leak bound needs. */
    public static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap in use right now, without collecting: the peak-ish figure while something is in flight. */
    public static long heapNow() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
