package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit codes and messages of the Kubernetes flags at the entry point: a malformed flag is a usage error (2, with
 * the usage); a well-formed command line that the environment cannot serve is a start failure (1, one line).
 */
class GatewayMainKubernetesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static final class Harness {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<Thread> hooks = new CopyOnWriteArrayList<>();
        final GatewayMain main;

        Harness(Map<String, String> env) {
            main = new GatewayMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), hooks::add, env);
        }

        int runExpectingExit(String... args) {
            // Bounded: if a bug let the gateway start, run() would block until stopped.
            return assertTimeoutPreemptively(WAIT, () -> main.run(args));
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    private static void assertOneLineFailure(Harness h, int code, String expectedStart) {
        assertThat(code).isEqualTo(GatewayMain.EXIT_FAILURE);
        assertThat(h.err()).startsWith("liteboxd-gateway: " + expectedStart)
                .endsWith("\n")
                .hasLineCount(1)
                .doesNotContain("Usage:", "Exception", "\tat ");
        assertThat(h.out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(h.hooks).isEmpty();
    }

    @Test
    void k8sProxyWithoutAnyKubeconfigExits1() {
        Harness h = new Harness(Map.of());

        int code = h.runExpectingExit("--listen", "127.0.0.1:0", "--k8s-proxy");

        assertOneLineFailure(h, code, "--k8s-proxy needs a kubeconfig: give --kubeconfig FILE, set KUBECONFIG,"
                + " or run in a pod with a service account (~/.kube/config is not read)");
    }

    @Test
    void theEnvironmentSwitchWithoutAnyKubeconfigExits1() {
        Harness h = new Harness(Map.of("DEV_USE_K8S_PROXY", "true"));

        int code = h.runExpectingExit("--listen", "127.0.0.1:0");

        assertOneLineFailure(h, code, "DEV_USE_K8S_PROXY=true needs a kubeconfig");
    }

    @Test
    void aSwitchValueThatIsNoBooleanExits1() {
        Harness h = new Harness(Map.of("DEV_USE_K8S_PROXY", "maybe"));

        int code = h.runExpectingExit("--listen", "127.0.0.1:0");

        assertOneLineFailure(h, code, "DEV_USE_K8S_PROXY: expected true or false, got 'maybe'");
    }

    @Test
    void sandboxesWithK8sProxyButNoKubeconfigExits1() {
        Harness h = new Harness(Map.of());

        int code = h.runExpectingExit("--listen", "127.0.0.1:0", "--sandboxes", dir.resolve("s.json").toString(),
                "--k8s-proxy");

        assertOneLineFailure(h, code, "--k8s-proxy with --sandboxes needs a kubeconfig");
    }

    @Test
    void aMissingKubeconfigFileExits1() {
        Path missing = dir.resolve("missing-kubeconfig");
        Harness h = new Harness(Map.of());

        int code = h.runExpectingExit("--listen", "127.0.0.1:0", "--kubeconfig", missing.toString());

        assertOneLineFailure(h, code, "cannot load Kubernetes credentials: kubeconfig " + missing + ": no such file");
    }

    @Test
    void aValueForTheSwitchIsAUsageError() {
        Harness h = new Harness(Map.of());

        int code = h.runExpectingExit("--k8s-proxy=yes");

        assertThat(code).isEqualTo(GatewayMain.EXIT_USAGE);
        assertThat(h.err()).startsWith("liteboxd-gateway: --k8s-proxy takes no value\n")
                .contains("Usage: java -jar liteboxd-gateway.jar");
        assertThat(h.hooks).isEmpty();
    }
}
