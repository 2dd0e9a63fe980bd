package io.liteboxd.e2e.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the real-app tests share: finding out whether the machine has what they need (and skipping loudly, or failing
 * under {@code LITEBOXD_REQUIRE_REAL_APPS}), starting an app as a child process with its output in a log file,
 * waiting for it, stopping it with everything it spawned, and running a playwright-core script.
 */
final class RealApps {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    /** Set by .ci/run: a missing app, browser or package fails the tests instead of skipping them. */
    static final String REQUIRE = "LITEBOXD_REQUIRE_REAL_APPS";

    private RealApps() {
    }

    /** Why the browser side cannot run here (chromium, node/npm, this module's npm packages), or {@code null}. */
    static String browserUnavailable(String... npmPackages) {
        if (!Files.isExecutable(CHROMIUM)) {
            return CHROMIUM + " is missing (apt-get install -y chromium)";
        }
        if (!onPath("node") || !onPath("npm")) {
            return "node/npm are missing";
        }
        for (String name : npmPackages) {
            if (!Files.isDirectory(MODULE.resolve("node_modules").resolve(name))) {
                return "npm package " + name + " is missing (run `npm ci` in examples/real-apps-e2e)";
            }
        }
        return null;
    }

    /**
     * Skips loudly: a banner on stderr (the JUnit assumption in each test then counts them as skipped). Under
     * {@link #REQUIRE} it fails instead, so that CI cannot pass with these tests skipped.
     */
    static void announceSkip(String what, String reason) {
        if (System.getenv(REQUIRE) != null) {
            throw new AssertionError(what + " cannot run, and " + REQUIRE + " is set: " + reason);
        }
        String line = "*** SKIPPING " + what + ": " + reason + " ***";
        String bar = "*".repeat(line.length());
        System.err.println(bar + "\n" + line + "\n" + bar);
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** A port free on loopback now; apps that must know their port before they start (base paths) get one. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A child process whose stdout and stderr go to a log file, read back into assertion messages. */
    static final class App implements AutoCloseable {
        final String name;
        final Process process;
        final Path log;

        private App(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        static App start(String name, List<String> command, Path dir, Map<String, String> env, Path log)
                throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            return new App(name, builder.start(), log);
        }

        /** The app's log so far, for assertion messages: it tells whether the app refused something. */
        String log() {
            try {
                return "---- " + name + " log (" + log + ") ----\n" + Files.readString(log, StandardCharsets.UTF_8)
                        + "---- end of " + name + " log ----";
            } catch (IOException e) {
                return "(" + name + " log unreadable: " + e + ")";
            }
        }

        /**
         * Waits until {@code url} answers HTTP at all (any status), the process dies, or the time is up. Throws with
         * the log in the last two cases.
         */
        void awaitHttp(String url, long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            String last = "no attempt";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before answering "
                            + url + "\n" + log());
                }
                try {
                    HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
                    connection.setConnectTimeout(1000);
                    connection.setReadTimeout(5000);
                    connection.setInstanceFollowRedirects(false);
                    int status = connection.getResponseCode();
                    connection.disconnect();
                    if (status > 0) {
                        return;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(250);
            }
            throw new AssertionError(name + " did not answer " + url + " within " + timeoutSeconds + "s (" + last
                    + ")\n" + log());
        }

        /** Ends the app and everything it spawned (Jupyter's kernels), forcibly after a grace period. */
        @Override
        public void close() {
            stopTree(process.toHandle());
        }
    }

    /** Ends a process and its descendants: a polite signal first, then SIGKILL for whatever is still alive. */
    static void stopTree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    /**
     * Runs a playwright-core script of {@code e2e/} with one JSON argument, bounded; returns the JSON object it
     * printed last. The script observes, the test asserts.
     */
    static JsonNode runScript(String script, JsonNode config, long timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder("node", MODULE.resolve("e2e").resolve(script).toString(),
                config.toString()).directory(MODULE.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                synchronized (lines) {
                    lines.add("(output unreadable: " + e + ")");
                }
            }
        }, "real-apps-e2e-output");
        reader.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError(script + " did not finish within " + timeoutSeconds + "s:\n"
                        + String.join("\n", snapshot(lines)));
            }
        } finally {
            // Chromium is the script's child: never leave it behind, whatever happened.
            stopTree(process.toHandle());
            reader.join(5000);
        }
        List<String> output = snapshot(lines);
        String last = output.isEmpty() ? "" : output.get(output.size() - 1);
        if (!last.startsWith("{")) {
            throw new AssertionError(script + " printed no result:\n" + String.join("\n", output));
        }
        JsonNode seen = JSON.readTree(last);
        if (output.size() > 1) {
            // Anything else the script printed (its own diagnostics) is worth seeing in the build log.
            System.out.println(String.join("\n", output.subList(0, output.size() - 1)));
        }
        return seen;
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Copies a folder of this module (a committed app) to {@code to}, so a test may edit the copy. */
    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
