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
 * A Vite dev server (npm's {@code vite}, this module's {@code vite-app/}) behind the standalone gateway, in headless
 * chromium, on both route styles: the page loads through the gateway, Vite's HMR client connects its WebSocket
 * through the gateway ({@code [vite] connected.}), and an edit of a module on disk reaches the page as an HMR update
 * over that socket, without a reload.
 *
 * <p>The path route runs Vite with {@code --base} set to the route's prefix and the gateway forwarding the whole path
 * ({@code keepPrefixPorts}); Vite's HMR client then needs no settings: it takes host and port from its own module's
 * URL, which is the gateway's. The host route needs no settings at all. See docs/apps.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ViteDevServerTest {

    private static final String BASE_DOMAIN = "sandbox.test";
    private static final String SANDBOX = "web";
    private static final String GATEWAY_TOKEN = "gateway-token-for-web";

    private String unavailable;
    private final List<RealApps.App> apps = new ArrayList<>();
    private RealApps.App pathVite;
    private RealApps.App hostVite;
    private GatewayServer gateway;
    private int pathPort;
    private int hostPort;
    private JsonNode seen;

    @BeforeAll
    void runViteInTheBrowser() throws Exception {
        unavailable = RealApps.browserUnavailable("playwright-core", "vite");
        if (unavailable != null) {
            RealApps.announceSkip("the Vite dev server browser test", unavailable);
            return;
        }
        Path work = Files.createDirectories(MODULE.resolve("target/real-apps"));
        pathPort = RealApps.freePort();
        hostPort = RealApps.freePort();
        String prefix = "/api/v1/sandbox/" + SANDBOX + "/port/" + pathPort + "/";

        // Each server gets its own copy of the project, which the browser script edits.
        Path pathProject = Files.createTempDirectory(work, "vite-path-");
        RealApps.copyTree(MODULE.resolve("vite-app"), pathProject);
        Path hostProject = Files.createTempDirectory(work, "vite-host-");
        RealApps.copyTree(MODULE.resolve("vite-app"), hostProject);
        pathVite = startVite("vite-path", work, pathProject, pathPort, prefix);
        hostVite = startVite("vite-host", work, hostProject, hostPort, "/");

        Path sandboxes = work.resolve("vite-sandboxes.json");
        ObjectNode sandbox = JSON.createObjectNode().put("id", SANDBOX).put("host", "127.0.0.1")
                .put("token", GATEWAY_TOKEN);
        sandbox.putArray("keepPrefixPorts").add(pathPort);
        Files.writeString(sandboxes, JSON.writeValueAsString(
                JSON.createObjectNode().set("sandboxes", JSON.createArrayNode().add(sandbox))));
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes).withBaseDomain(BASE_DOMAIN));

        pathVite.awaitHttp("http://127.0.0.1:" + pathPort + prefix, 90);
        hostVite.awaitHttp("http://127.0.0.1:" + hostPort + "/", 90);

        String login = "?liteboxd_token=" + GATEWAY_TOKEN;
        ObjectNode config = JSON.createObjectNode()
                .put("chromium", RealApps.CHROMIUM.toString())
                .put("userDataDir", Files.createTempDirectory(work, "chromium-profile-").toString())
                .put("screenshotDir", work.toString())
                .put("baseDomain", BASE_DOMAIN);
        config.putArray("routes")
                .add(JSON.createObjectNode().put("name", "path")
                        .put("link", "http://127.0.0.1:" + gateway.port() + prefix + login)
                        .put("messageFile", pathProject.resolve("message.js").toString()))
                .add(JSON.createObjectNode().put("name", "host")
                        .put("link", "http://" + hostHost() + "/" + login)
                        .put("messageFile", hostProject.resolve("message.js").toString()));
        seen = RealApps.runScript("vite-check.mjs", config, 180);
        assertThat(seen.has("error")).as("vite-check failed: %s%n%s%n%s", seen.path("error").asText(),
                pathVite.log(), hostVite.log()).isFalse();
    }

    @BeforeEach
    void requireTheApps() {
        Assumptions.assumeTrue(unavailable == null, "Vite dev server browser test skipped: " + unavailable);
    }

    @AfterAll
    void stop() {
        apps.forEach(RealApps.App::close);
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void pathRoute_withBaseAndKeepPrefix_loadsThePage_andHmrUpdatesItThroughTheGateway() {
        assertHotUpdate(seen.path("path"), pathVite,
                "ws://127.0.0.1:" + gateway.port() + "/api/v1/sandbox/" + SANDBOX + "/port/" + pathPort + "/");
    }

    @Test
    void hostRoute_loadsThePage_andHmrUpdatesItThroughTheGateway() {
        assertHotUpdate(seen.path("host"), hostVite, "ws://" + hostHost() + "/");
    }

    private String hostHost() {
        return hostPort + "-" + SANDBOX + "." + BASE_DOMAIN + ":" + gateway.port();
    }

    private void assertHotUpdate(JsonNode run, RealApps.App vite, String gatewaySocketPrefix) {
        String context = String.format("what the browser saw:%n%s%n%s", run.toPrettyString(), vite.log());

        assertThat(run.path("error").isMissingNode()).as(context).isTrue();
        assertThat(run.path("status").asInt()).as(context).isEqualTo(200);
        assertThat(run.path("redirects").toString()).as(context).contains("liteboxd_token");
        assertThat(run.path("url").asText()).as(context).doesNotContain("liteboxd_token");
        assertThat(run.path("before").asText()).as(context).isEqualTo("hello from vite");
        assertThat(run.path("connected").asBoolean()).as("[vite] connected. on the console; %s", context).isTrue();

        // Vite's client falls back to the dev server's own address when the socket through the page's origin
        // fails; on this machine the browser could reach it there, so every socket must be the gateway's.
        assertThat(run.path("sockets")).as(context).isNotEmpty();
        run.path("sockets").forEach(socket ->
                assertThat(socket.path("url").asText()).as(context).startsWith(gatewaySocketPrefix));
        List<String> updates = new ArrayList<>();
        run.path("sockets").forEach(socket -> socket.path("frames").forEach(frame -> {
            if (frame.asText().startsWith("<") && frame.asText().contains("\"type\":\"update\"")) {
                updates.add(frame.asText());
            }
        }));
        assertThat(updates).as("an HMR update arrived over the socket; %s", context)
                .anySatisfy(update -> assertThat(update).contains("message.js"));

        assertThat(run.path("after").asText()).as(context).isEqualTo(run.path("edited").asText());
        assertThat(run.path("loadedAfter").asText()).as("updated in place, not reloaded; %s", context)
                .isEqualTo(run.path("loadedBefore").asText());
    }

    private RealApps.App startVite(String name, Path work, Path project, int port, String base) throws Exception {
        List<String> command = List.of("node", MODULE.resolve("node_modules/vite/bin/vite.js").toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--strictPort", "--base", base,
                "--clearScreen", "false");
        RealApps.App app = RealApps.App.start(name, command, project, Map.of(), work.resolve(name + ".log"));
        apps.add(app);
        return app;
    }
}
