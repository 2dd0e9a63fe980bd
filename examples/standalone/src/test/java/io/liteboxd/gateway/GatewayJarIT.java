package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.kubernetes.standin.ApiServerStandin;
import io.liteboxd.proxy.kubernetes.standin.Kubeconfigs;
import io.liteboxd.proxy.kubernetes.standin.Pods;
import io.liteboxd.proxy.kubernetes.standin.TestPki;

import io.liteboxd.proxy.testkit.Upstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it: {@code java -jar}, in its own process. Runs in the integration-test phase
 * (failsafe), after the jar is built; a missing jar is a failure, not a skip.
 */
class GatewayJarIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Path jar;
    private Process process;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("gateway.jar", "target/liteboxd-gateway.jar"));
        assertThat(jar).as("the shaded jar, built in the package phase").isRegularFile();
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Kubernetes settings of the machine running the build would turn the demo into Kubernetes mode (or fail
        // it); every test passes what it needs on the command line.
        builder.environment().keySet().removeAll(List.of("KUBECONFIG", "DEV_USE_K8S_PROXY",
                "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"));
        process = builder.start();
        return process;
    }

    /** Drains a stream on its own thread so a full pipe can never block the child. */
    private static final class Drain {
        private final StringBuffer text = new StringBuffer();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        text.append(line).append('\n');
                    }
                } catch (IOException ignored) {
                    // The process ended; what was read is kept.
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            return text.toString();
        }

        String awaitEnd() throws InterruptedException {
            thread.join(WAIT.toMillis());
            return text();
        }

        Matcher await(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher m = pattern.matcher(text());
                if (m.find()) {
                    return m;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no match for " + pattern + " within " + WAIT + " in:\n" + text());
        }
    }

    @Test
    void demoModeServesTheBannerLinesAndStopsGracefullyOnSigterm() throws Exception {
        Process p = launch("--listen", "127.0.0.1:0");
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());

        Matcher curl = out.await(Pattern.compile(
                "curl -H 'X-Access-Token: ([A-Za-z0-9_-]+)' '(http://\\S+/echo\\?hello=world)'"));
        HttpResponse<String> response = TestHttp.get(URI.create(curl.group(2)), "X-Access-Token", curl.group(1));
        assertThat(response.statusCode()).as(response.body() + "\nstderr:\n" + err.text()).isEqualTo(200);
        assertThat(TestHttp.json(response).path("query").asText()).isEqualTo("hello=world");

        // SIGTERM through the handle: Process.destroy() would also close our ends of the pipes and lose the
        // lines the gateway logs while it stops.
        assertThat(p.toHandle().destroy()).isTrue();
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(p.exitValue()).as("128 + SIGTERM: the JVM ran its shutdown hooks").isEqualTo(143);
        String log = err.awaitEnd();
        assertThat(log).contains("liteboxd-gateway listening on", "liteboxd-gateway stopped")
                .doesNotContain("Exception", "WARN");
    }

    /**
     * Kubernetes mode from the fat jar: the official client, its TLS and JSON stack and the informer must survive
     * shading (client-java brings signed BouncyCastle jars whose signatures the shade filter drops).
     */
    @Test
    void kubernetesModeThroughTheApiServerRunsFromTheJar(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("gateway-jar-it-ca");
        try (ApiServerStandin apiServer = ApiServerStandin.start(pki, "liteboxd-sandbox");
             Upstream backend = Upstream.start()) {
            apiServer.allowToken("jar-it-credential");
            apiServer.apply(Pods.ready(Pods.sandbox("jar1", "jar-pod-token"), "127.0.0.1"));
            Path kubeconfig = Kubeconfigs.bearerToken(dir, apiServer.uri(), pki.caPem(), "jar-it-credential");

            Process p = launch("--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig.toString(),
                    "--namespace", "liteboxd-sandbox", "--k8s-proxy");
            Drain out = new Drain(p.getInputStream());
            Drain err = new Drain(p.getErrorStream());

            Matcher listening = out.await(Pattern.compile("listening on (http://\\S+)\n"
                    + "Mode: Kubernetes pods and annotation tokens, upstream through the Kubernetes API server\n"));
            out.await(Pattern.compile("Pod list: loaded\n"));
            String sandbox = listening.group(1) + "/api/v1/sandbox/jar1/port/" + backend.port();
            HttpResponse<String> ok = TestHttp.get(URI.create(sandbox + "/echo?from=jar"),
                    "X-Access-Token", "jar-pod-token");
            HttpResponse<String> wrong = TestHttp.get(URI.create(sandbox + "/echo"), "X-Access-Token", "wrong");

            assertThat(ok.statusCode()).as(ok.body() + "\nstderr:\n" + err.text()).isEqualTo(200);
            assertThat(TestHttp.json(ok).path("query").asText()).isEqualTo("from=jar");
            assertThat(apiServer.proxiedRequests()).extracting(ApiServerStandin.ProxiedRequest::target)
                    .containsExactly("/echo?from=jar");
            assertThat(wrong.statusCode()).isEqualTo(401);

            assertThat(p.toHandle().destroy()).isTrue();
            assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(err.awaitEnd()).contains("liteboxd-gateway stopped").doesNotContain("Exception");
        }
    }

    @Test
    void aBadOptionExitsWithUsage() throws Exception {
        Process p = launch("--no-such-option");
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());

        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err.awaitEnd()).startsWith("liteboxd-gateway: unknown option: --no-such-option\n")
                .contains("Usage:");
        assertThat(out.awaitEnd()).isEmpty();
    }

    @Test
    void aBadSandboxFileExitsWith1() throws Exception {
        Path file = Files.createTempFile("sandboxes", ".json");
        try {
            Files.writeString(file, "{\"sandboxes\":[{\"id\":\"Not_Valid\",\"host\":\"h\",\"token\":\"t\"}]}");
            Process p = launch("--listen", "127.0.0.1:0", "--sandboxes", file.toString());
            Drain err = new Drain(p.getErrorStream());
            new Drain(p.getInputStream());

            assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(err.awaitEnd()).startsWith("liteboxd-gateway: cannot load sandboxes: " + file + ": sandboxes[0].id: ")
                    .hasLineCount(1);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
