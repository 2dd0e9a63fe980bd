package io.liteboxd.e2e.apps;

import static io.liteboxd.e2e.apps.RealApps.JSON;
import static io.liteboxd.e2e.apps.RealApps.MODULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liteboxd.gateway.GatewayOptions;
import io.liteboxd.gateway.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's Jupyter Notebook 6.4 behind the standalone gateway, in headless chromium, on both route styles: the
 * tree opens with one link carrying the gateway's token and Jupyter's, a notebook is created from the "New" menu, a
 * cell runs ({@code print(6*7)}: its {@code 42} comes back over the kernel WebSocket through the gateway), the kernel
 * socket stays idle past the gateway's idle timeout (kept open by the gateway's pings alone) and a second cell runs
 * on the same socket.
 *
 * <p>The path route needs both forwarding settings: Jupyter runs with {@code base_url} set to the route's prefix, so
 * the gateway forwards the whole path ({@code keepPrefixPorts}); and Jupyter refuses WebSockets and API calls whose
 * {@code Origin} is not its {@code Host}, so the gateway forwards the browser's {@code Host}
 * ({@code preserveHostPorts}). The host route needs the {@code Host} too. See docs/apps.md.
 *
 * <p>Jupyter's log (target/real-apps/jupyter-*.log) is in every failure message: it says whether Jupyter refused
 * (e.g. "Blocking Cross Origin WebSocket Attempt") or never saw the request (the gateway refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JupyterNotebookTest {

    private static final String JUPYTER = "/usr/bin/jupyter-notebook";
    private static final String BASE_DOMAIN = "sandbox.test";
    private static final String SANDBOX = "nb";
    private static final String GATEWAY_TOKEN = "gateway-token-for-nb";
    private static final String JUPYTER_TOKEN = "jupyter-own-token";
    private static final Duration PING = Duration.ofSeconds(2);
    private static final Duration IDLE = Duration.ofSeconds(5);
    /** How long the kernel socket is left alone: well past the gateway's idle timeout. */
    private static final Duration LEFT_IDLE = IDLE.plusSeconds(4);

    private String unavailable;
    private final List<RealApps.App> apps = new ArrayList<>();
    private RealApps.App pathJupyter;
    private RealApps.App hostJupyter;
    private GatewayServer gateway;
    private int pathPort;
    private int hostPort;
    private JsonNode seen;

    @BeforeAll
    void runJupyterInTheBrowser() throws Exception {
        unavailable = RealApps.browserUnavailable("playwright-core");
        if (unavailable == null && !Files.isExecutable(Path.of(JUPYTER))) {
            unavailable = JUPYTER + " is missing (apt-get install -y jupyter-notebook)";
        }
        if (unavailable != null) {
            RealApps.announceSkip("the Jupyter Notebook browser test", unavailable);
            return;
        }
        Path work = Files.createDirectories(MODULE.resolve("target/real-apps"));
        pathPort = RealApps.freePort();
        hostPort = RealApps.freePort();
        String prefix = "/api/v1/sandbox/" + SANDBOX + "/port/" + pathPort + "/";

        // A person's notebook server behind a path route: the route's prefix is its base_url.
        pathJupyter = startJupyter("jupyter-path", work, pathPort, List.of("--NotebookApp.base_url=" + prefix));
        // Behind a host route it owns the whole host, so no base_url. The gateway forwards the sandbox host name as
        // Host, which Jupyter refuses from a loopback-only server unless remote access is allowed (in a pod it
        // listens on the pod's address, where that is the default).
        hostJupyter = startJupyter("jupyter-host", work, hostPort,
                List.of("--NotebookApp.allow_remote_access=True"));

        Path sandboxes = work.resolve("jupyter-sandboxes.json");
        ObjectNode sandbox = JSON.createObjectNode().put("id", SANDBOX).put("host", "127.0.0.1")
                .put("token", GATEWAY_TOKEN);
        sandbox.putArray("keepPrefixPorts").add(pathPort);
        sandbox.putArray("preserveHostPorts").add(pathPort).add(hostPort);
        Files.writeString(sandboxes, JSON.writeValueAsString(
                JSON.createObjectNode().set("sandboxes", JSON.createArrayNode().add(sandbox))));
        // Short keepalive settings, so that "idle past the timeout" takes seconds.
        gateway = GatewayServer.start(new GatewayOptions("127.0.0.1", 0, sandboxes,
                GatewayOptions.defaults().requestTimeout(), PING, IDLE, BASE_DOMAIN));

        pathJupyter.awaitHttp("http://127.0.0.1:" + pathPort + prefix + "api", 90);
        hostJupyter.awaitHttp("http://127.0.0.1:" + hostPort + "/api", 90);

        String login = "?token=" + JUPYTER_TOKEN + "&liteboxd_token=" + GATEWAY_TOKEN;
        ObjectNode config = JSON.createObjectNode()
                .put("chromium", RealApps.CHROMIUM.toString())
                .put("userDataDir", Files.createTempDirectory(work, "chromium-profile-").toString())
                .put("screenshotDir", work.toString())
                .put("baseDomain", BASE_DOMAIN)
                .put("idleMs", LEFT_IDLE.toMillis());
        config.putArray("routes")
                .add(JSON.createObjectNode().put("name", "path")
                        .put("link", "http://127.0.0.1:" + gateway.port() + prefix + "tree" + login))
                .add(JSON.createObjectNode().put("name", "host")
                        .put("link", "http://" + hostHost() + "/tree" + login));
        seen = RealApps.runScript("jupyter-check.mjs", config, 240);
        assertThat(seen.has("error")).as("jupyter-check failed: %s%n%s%n%s", seen.path("error").asText(),
                pathJupyter.log(), hostJupyter.log()).isFalse();
    }

    @BeforeEach
    void requireTheApps() {
        Assumptions.assumeTrue(unavailable == null, "Jupyter Notebook browser test skipped: " + unavailable);
    }

    @AfterAll
    void stop() {
        apps.forEach(RealApps.App::close);
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void pathRoute_withBaseUrl_keepPrefixAndHost_runsCellsOverTheKernelSocket_pastTheIdleTimeout() {
        assertNotebookSession(seen.path("path"), pathJupyter,
                "ws://127.0.0.1:" + gateway.port() + "/api/v1/sandbox/" + SANDBOX + "/port/" + pathPort
                        + "/api/kernels/");
    }

    @Test
    void hostRoute_withoutBaseUrl_runsCellsOverTheKernelSocket_pastTheIdleTimeout() {
        assertNotebookSession(seen.path("host"), hostJupyter, "ws://" + hostHost() + "/api/kernels/");
    }

    private String hostHost() {
        return hostPort + "-" + SANDBOX + "." + BASE_DOMAIN + ":" + gateway.port();
    }

    private void assertNotebookSession(JsonNode run, RealApps.App jupyter, String kernelSocketPrefix) {
        String context = String.format("what the browser saw:%n%s%n%s", run.toPrettyString(), jupyter.log());

        assertThat(run.path("error").isMissingNode()).as(context).isTrue();
        assertThat(run.path("treeStatus").asInt()).as(context).isEqualTo(200);
        // The gateway took its token out of the address bar (one 303), Jupyter's own login kept its parameter.
        assertThat(run.path("treeRedirects").toString()).as(context).contains("liteboxd_token");
        assertThat(run.path("treeUrl").asText()).as(context).doesNotContain("liteboxd_token");

        assertThat(run.path("firstOutput").asText().trim()).as(context).isEqualTo("42");
        assertThat(run.path("secondOutput").asText().trim()).as(context).isEqualTo("again 42");

        List<JsonNode> kernelSockets = new ArrayList<>();
        run.path("sockets").forEach(socket -> {
            if (socket.path("url").asText().contains("/channels")) {
                kernelSockets.add(socket);
            }
        });
        // One socket for both cells: Jupyter reconnects a dropped kernel socket by itself, which would hide a
        // gateway that closed it while idle.
        assertThat(kernelSockets).as(context).hasSize(1);
        JsonNode kernel = kernelSockets.get(0);
        assertThat(kernel.path("url").asText()).as(context).startsWith(kernelSocketPrefix);
        assertThat(kernel.path("closedAtMs").isMissingNode()
                || kernel.path("closedAtMs").asLong() > run.path("secondOutputAtMs").asLong())
                .as("the kernel socket stayed open until the second output; %s", context).isTrue();
        assertThat(run.path("secondStartedAtMs").asLong() - run.path("firstOutputAtMs").asLong())
                .as("idle for longer than the gateway's idle timeout; %s", context)
                .isGreaterThan(IDLE.toMillis());
        assertThat(run.path("idleFrames").asInt()).as("no app message while idle; %s", context).isZero();
    }

    private RealApps.App startJupyter(String name, Path work, int port, List<String> extra) throws Exception {
        // Nothing of the machine's or the user's Jupyter set-up may leak in: fresh config, data, runtime and home.
        Path root = Files.createTempDirectory(work, name + "-");
        Map<String, String> env = Map.of(
                "HOME", Files.createDirectories(root.resolve("home")).toString(),
                "JUPYTER_CONFIG_DIR", Files.createDirectories(root.resolve("config")).toString(),
                "JUPYTER_DATA_DIR", Files.createDirectories(root.resolve("data")).toString(),
                "JUPYTER_RUNTIME_DIR", Files.createDirectories(root.resolve("runtime")).toString(),
                "IPYTHONDIR", Files.createDirectories(root.resolve("ipython")).toString());
        List<String> command = new ArrayList<>(List.of(JUPYTER, "--no-browser", "--ip=127.0.0.1",
                "--port=" + port, "--NotebookApp.token=" + JUPYTER_TOKEN,
                "--notebook-dir=" + Files.createDirectories(root.resolve("notebooks")),
                // CI runs as root, which Jupyter refuses without this.
                "--allow-root"));
        command.addAll(extra);
        RealApps.App app = RealApps.App.start(name, command, root, env, work.resolve(name + ".log"));
        apps.add(app);
        return app;
    }
}
