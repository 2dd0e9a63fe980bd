package io.liteboxd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process of the suite. Every child is started through {@code setsid}, in a session of its own: with the
 * kernel's autogroup scheduling each session is one scheduling entity, so the load generator, the upstream and the
 * proxy each get a fair share of the two cores however many threads each runs (without it a 200-thread JVM
 * out-competes a single-threaded nginx worker or node process). Every pid is appended to a pid file so that
 * run.sh's trap can end whatever an aborted suite left behind, and a shutdown hook stops them all.
 */
public final class Proc implements AutoCloseable {

    private static final List<Proc> LIVE = new CopyOnWriteArrayList<>();
    private static volatile Path pidFile;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Proc::stopAll, "proc-cleanup"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer stdin;
    private final Thread pump;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.pump = new Thread(this::pump, "out-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    public static void pidFile(Path file) {
        pidFile = file;
    }

    /**
     * Starts {@code command} in a new session; stdout lines are kept for {@link #awaitLine} and, with stderr,
     * appended to {@code log}.
     */
    public static Proc start(String name, List<String> command, Path log, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (env != null) {
            pb.environment().putAll(env);
        }
        Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = pb.start();
        Proc proc = new Proc(name, p, log);
        LIVE.add(proc);
        Path pf = pidFile;
        if (pf != null) {
            Files.writeString(pf, p.pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        return proc;
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                try {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                } catch (IOException ignored) {
                    // the log is a convenience
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for a stdout line matching {@code test}; null on timeout or when the process ended first. */
    public String awaitLine(Predicate<String> test, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            if (line != null) {
                if (test.test(line)) {
                    return line;
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                return null;
            }
        }
    }

    public void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** The process and everything it started (nginx's workers). */
    public List<Long> pids() {
        List<Long> all = new ArrayList<>();
        all.add(process.pid());
        process.descendants().forEach(h -> all.add(h.pid()));
        return all;
    }

    /** SIGTERM to the process and its descendants, SIGKILL after 10 s. */
    @Override
    public void close() {
        List<ProcessHandle> handles = new ArrayList<>();
        process.descendants().forEach(handles::add);
        process.toHandle().destroy();
        handles.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.toHandle().destroyForcibly();
        }
        for (ProcessHandle h : handles) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        LIVE.remove(this);
    }

    public static void stopAll() {
        for (Proc p : List.copyOf(LIVE)) {
            p.close();
        }
    }

    /** Runs a short command to its end (bounded), returning its stdout; stderr goes to {@code log}. */
    public static String run(String name, List<String> command, Path log, long timeoutSeconds) throws Exception {
        try (Proc p = start(name, command, log, null)) {
            StringBuilder out = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String line = p.lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    out.append(line).append('\n');
                    continue;
                }
                if (!p.process.isAlive()) {
                    // drain what the pump still has
                    p.pump.join(2000);
                    String rest;
                    while ((rest = p.lines.poll()) != null) {
                        out.append(rest).append('\n');
                    }
                    return out.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not finish in " + timeoutSeconds + " s");
                }
            }
        }
    }
}
