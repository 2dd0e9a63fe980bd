package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command-line entry point: exit codes, what goes to stdout and stderr, and the shutdown hook. */
class GatewayMainTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** One run of the entry point with captured output and shutdown hooks. */
    private static final class Harness {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<Thread> hooks = new CopyOnWriteArrayList<>();
        // An empty environment: a KUBECONFIG on the machine running the tests must not turn the demo into
        // Kubernetes mode.
        final GatewayMain main = new GatewayMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), hooks::add, java.util.Map.of());

        /** Runs to completion; only for command lines that must end before a gateway is up. */
        int runExpectingExit(String... args) {
            // Bounded: if a bug let the gateway start, run() would block until stopped.
            return assertTimeoutPreemptively(WAIT, () -> main.run(args));
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        Harness h = new Harness();

        assertThat(h.runExpectingExit("--help")).isEqualTo(GatewayMain.EXIT_OK);
        assertThat(h.out()).startsWith("Usage: java -jar liteboxd-gateway.jar");
        assertThat(h.err()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --verbose                    | liteboxd-gateway: unknown option: --verbose
            --listen nowhere             | liteboxd-gateway: --listen: expected HOST:PORT, got nowhere
            --idle-timeout               | liteboxd-gateway: --idle-timeout needs a value
            --request-timeout=forever    | liteboxd-gateway: --request-timeout: not a duration: forever
            """)
    void usageErrorsPrintOneLineThenTheUsageAndExit2(String commandLine, String firstLine) {
        Harness h = new Harness();

        int code = h.runExpectingExit(commandLine.trim().split("\\s+"));

        assertThat(code).isEqualTo(GatewayMain.EXIT_USAGE);
        String[] lines = h.err().split("\n");
        assertThat(lines[0]).startsWith(firstLine.trim());
        assertThat(h.err()).contains("Usage: java -jar liteboxd-gateway.jar");
        assertThat(h.out()).isEmpty();
        assertThat(h.hooks).isEmpty();
    }

    @Test
    void missingSandboxFile() {
        Path missing = dir.resolve("missing.json");

        assertFailsToLoad(missing, missing + ": no such file");
    }

    @Test
    void sandboxFileThatIsNotJson() throws Exception {
        Path file = write("broken.json", "{\"sandboxes\": [");

        assertFailsToLoad(file, file + ": not valid JSON");
    }

    @Test
    void sandboxFileWithoutAToken() throws Exception {
        Path file = write("no-token.json", "{\"sandboxes\":[{\"id\":\"abc12345\",\"host\":\"127.0.0.1\"}]}");

        assertFailsToLoad(file, file + ": sandboxes[0].token: required non-empty string");
    }

    @Test
    void sandboxFileWithABadPort() throws Exception {
        Path file = write("bad-port.json",
                "{\"sandboxes\":[{\"id\":\"abc12345\",\"host\":\"127.0.0.1\",\"token\":\"s\",\"ports\":[70000]}]}");

        assertFailsToLoad(file, file + ": sandboxes[0].ports: 70000 is not a port (1-65535)");
    }

    private void assertFailsToLoad(Path file, String expectedDetail) {
        Harness h = new Harness();

        int code = h.runExpectingExit("--listen", "127.0.0.1:0", "--sandboxes", file.toString());

        assertThat(code).isEqualTo(GatewayMain.EXIT_FAILURE);
        assertThat(h.err()).startsWith("liteboxd-gateway: cannot load sandboxes: " + expectedDetail)
                .endsWith("\n")
                .hasLineCount(1)
                .doesNotContain("Exception", "\tat ");
        assertThat(h.out()).isEmpty();
        assertThat(h.hooks).isEmpty();
    }

    @Test
    void addressInUseIsReportedWithoutAStackTrace() throws Exception {
        Path file = write("ok.json", "{\"sandboxes\":[{\"id\":\"abc12345\",\"host\":\"127.0.0.1\",\"token\":\"s\"}]}");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Harness h = new Harness();

            int code = h.runExpectingExit("--listen", "127.0.0.1:" + taken.getLocalPort(), "--sandboxes", file.toString());

            assertThat(code).isEqualTo(GatewayMain.EXIT_FAILURE);
            assertThat(h.err()).isEqualTo("liteboxd-gateway: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use\n");
            assertThat(h.hooks).isEmpty();
        }
    }

    @Test
    void unknownListenHostIsReportedWithoutAStackTrace() throws Exception {
        Path file = write("ok.json", "{\"sandboxes\":[{\"id\":\"abc12345\",\"host\":\"127.0.0.1\",\"token\":\"s\"}]}");
        Harness h = new Harness();

        // .invalid is reserved (RFC 2606) and never resolves.
        int code = h.runExpectingExit("--listen", "no-such-host.invalid:0", "--sandboxes", file.toString());

        assertThat(code).isEqualTo(GatewayMain.EXIT_FAILURE);
        assertThat(h.err()).isEqualTo("liteboxd-gateway: cannot listen on no-such-host.invalid:0: unknown host\n");
    }

    @Test
    void startsPrintsAPasteableBannerAndStopsThroughTheShutdownHook() throws Exception {
        Harness h = new Harness();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = runner.submit(() -> h.main.run("--listen", "127.0.0.1:0"));

            Matcher curl = awaitInOutput(h, Pattern.compile(
                    "curl -H 'X-Access-Token: ([A-Za-z0-9_-]{43})' '(http://127\\.0\\.0\\.1:\\d+/api/v1/sandbox/demo/port/\\d+/echo\\?hello=world)'"));
            HttpResponse<String> response = TestHttp.get(URI.create(curl.group(2)), "X-Access-Token", curl.group(1));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode echo = TestHttp.json(response);
            assertThat(echo.path("query").asText()).isEqualTo("hello=world");

            assertThat(h.out()).containsPattern(
                    "websocat -H='X-Access-Token: " + curl.group(1) + "' ws://127\\.0\\.0\\.1:\\d+/api/v1/sandbox/demo/port/\\d+/ws")
                    .containsPattern("/api/v1/sandbox/demo/port/\\d+/\\?liteboxd_token=" + curl.group(1));
            assertThat(h.hooks).hasSize(1);
            Thread hook = h.hooks.get(0);
            hook.start();
            hook.join(WAIT.toMillis());
            assertThat(hook.isAlive()).as("shutdown hook still running after " + WAIT).isFalse();
            assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(GatewayMain.EXIT_OK);
            assertThat(h.err()).isEmpty();
        } finally {
            // Stops a gateway a failed assertion left running; harmless when the hook already ran.
            h.hooks.forEach(Thread::run);
            runner.shutdownNow();
        }
    }

    private static Matcher awaitInOutput(Harness h, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(h.out());
            if (m.find()) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + pattern + " within " + WAIT + "; stdout:\n" + h.out()
                + "\nstderr:\n" + h.err());
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
