package io.liteboxd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.liteboxd.gateway.DemoSandbox;
import io.liteboxd.gateway.EchoSocket;
import io.liteboxd.gateway.GatewayOptions;
import io.liteboxd.gateway.GatewayServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real browser through the real standalone gateway: Debian's headless chromium, driven by playwright-core
 * ({@code e2e/browser-check.mjs}), opens the demo sandbox's page with {@code ?liteboxd_token=}; the page opens its
 * WebSocket relative to its own address and exchanges messages. A page of another origin is refused the cookie-only
 * WebSocket. Host-style routes ({@code {port}-demo.sandbox.test}) are exercised the same way.
 *
 * <p>Skipped, with a message on stderr, when {@code chromium} or {@code node}/{@code npm} is missing; {@code .ci/run}
 * installs them, so CI always runs it. The browser runs once for the class; the tests assert on what it saw.
 * Screenshots land in {@code target/e2e/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BrowserEndToEndTest {

    private static final String BASE_DOMAIN = "sandbox.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULE = Path.of("").toAbsolutePath();

    /** Why the browser could not run here, or {@code null}; every test is then skipped with this reason. */
    private String unavailable;
    private GatewayServer gateway;
    private HttpServer foreignOrigin;
    private JsonNode seen;
    private String token;
    private int demoPort;

    @BeforeAll
    void runTheBrowser() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            unavailable = chromium + " is missing (apt-get install -y chromium)";
        } else if (!onPath("node") || !onPath("npm")) {
            unavailable = "node/npm are missing";
        }
        if (unavailable != null) {
            System.err.println("*** SKIPPING the browser end-to-end test: " + unavailable + " ***");
            return;
        }
        installPlaywrightCore();

        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withBaseDomain(BASE_DOMAIN));
        DemoSandbox demo = gateway.demo().orElseThrow();
        token = demo.token();
        demoPort = demo.port();
        foreignOrigin = foreignOriginServer();

        Path target = MODULE.resolve("target/e2e");
        Files.createDirectories(target);
        ObjectNode config = JSON.createObjectNode()
                .put("chromium", chromium.toString())
                .put("userDataDir", Files.createTempDirectory(target, "profile-").toString())
                .put("screenshotDir", target.toString())
                .put("gateway", gateway.baseUri().toString())
                .put("token", token)
                .put("demoPort", demoPort)
                .put("baseDomain", BASE_DOMAIN)
                .put("foreignPage", "http://127.0.0.1:" + foreignOrigin.getAddress().getPort() + "/foreign.html");
        List<String> output = run(List.of("node", MODULE.resolve("e2e/browser-check.mjs").toString(),
                config.toString()), 150);
        String last = output.isEmpty() ? "" : output.get(output.size() - 1);
        assertThat(last).as("browser-check output:%n%s", String.join("\n", output)).startsWith("{");
        seen = JSON.readTree(last);
        assertThat(seen.has("error")).as("browser-check failed: %s", seen.path("error").asText()).isFalse();
    }

    /** Skips each test (so the report counts them as skipped, with the reason) when the browser could not run. */
    @BeforeEach
    void requireTheBrowser() {
        Assumptions.assumeTrue(unavailable == null, "browser end-to-end test skipped: " + unavailable);
    }

    @AfterAll
    void stop() {
        if (foreignOrigin != null) {
            foreignOrigin.stop(0);
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void theLinkWithTheToken_showsThePage_whoseRelativeWebSocketExchangesMessages() {
        JsonNode page = seen.path("pathStyle");

        assertThat(page.path("status").asInt()).isEqualTo(200);
        assertThat(page.path("waitError").isMissingNode()).as(page.toString()).isTrue();
        assertThat(page.path("state").asText()).isEqualTo("open");
        assertThat(page.path("wsUrl").asText()).isEqualTo("ws://127.0.0.1:" + gateway.port()
                + "/api/v1/sandbox/demo/port/" + demoPort + "/ws");
        assertThat(texts(page.path("log"))).containsSubsequence(
                "< " + EchoSocket.GREETING, "> hello from chromium", "< hello from chromium");
    }

    @Test
    void theBrowserKeepsAnHttpOnlyLaxCookieScopedToTheSandbox() {
        assertThat(seen.path("cookies")).hasSize(1);
        JsonNode cookie = seen.path("cookies").get(0);
        assertThat(cookie.path("name").asText()).isEqualTo("liteboxd_token");
        assertThat(cookie.path("domain").asText()).isEqualTo("127.0.0.1");
        assertThat(cookie.path("path").asText()).isEqualTo("/api/v1/sandbox/demo/");
        assertThat(cookie.path("httpOnly").asBoolean()).isTrue();
        assertThat(cookie.path("sameSite").asText()).isEqualTo("Lax");
        assertThat(cookie.path("secure").asBoolean()).isFalse();
    }

    @Test
    void withoutTheParameter_theCookieAloneOpensPageAndWebSocket() {
        JsonNode page = seen.path("cookieOnly");

        assertThat(page.path("status").asInt()).isEqualTo(200);
        assertThat(page.path("state").asText()).as(page.toString()).isEqualTo("open");
        assertThat(texts(page.path("log"))).containsSubsequence(
                "< " + EchoSocket.GREETING, "> again, by cookie", "< again, by cookie");
    }

    @Test
    void aPageOfAnotherOrigin_isRefusedTheCookieOnlyWebSocket_with403() {
        JsonNode foreign = seen.path("foreign");

        assertThat(foreign.path("cookieOnly").path("outcome").asText()).as(foreign.toString()).isEqualTo("refused");
        // Chromium reports the handshake status only on the console: 403 is the Origin check (a missing or wrong
        // cookie would be 401).
        assertThat(texts(foreign.path("console"))).anySatisfy(line -> assertThat(line).contains("403"));
        // Control: the same page with an explicit token is let in, so the refusal above is the Origin check alone.
        assertThat(foreign.path("explicitToken").path("outcome").asText()).isEqualTo("open");
        assertThat(foreign.path("explicitToken").path("message").asText()).isEqualTo(EchoSocket.GREETING);
    }

    @Test
    void hostStyleRoute_servesTheSamePage_withAHostOnlyCookie() {
        JsonNode page = seen.path("hostStyle");

        assertThat(page.path("status").asInt()).isEqualTo(200);
        assertThat(page.path("state").asText()).as(page.toString()).isEqualTo("open");
        assertThat(page.path("wsUrl").asText()).isEqualTo("ws://" + demoPort + "-demo." + BASE_DOMAIN + ":"
                + gateway.port() + "/ws");
        assertThat(texts(page.path("log"))).containsSubsequence(
                "< " + EchoSocket.GREETING, "> hello over a sandbox host", "< hello over a sandbox host");
        assertThat(seen.path("hostCookies")).anySatisfy(c -> {
            assertThat(c.path("name").asText()).isEqualTo("liteboxd_token");
            assertThat(c.path("domain").asText()).isEqualTo(demoPort + "-demo." + BASE_DOMAIN);
            assertThat(c.path("path").asText()).isEqualTo("/");
        });
    }

    // ------------------------------------------------------------------------------------------------------------

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** {@code npm ci} into this module's folder when playwright-core is not there yet (.ci/run does it up front). */
    private static void installPlaywrightCore() throws Exception {
        if (Files.isDirectory(MODULE.resolve("node_modules/playwright-core"))) {
            return;
        }
        List<String> output = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assertThat(MODULE.resolve("node_modules/playwright-core")).as("npm ci output:%n%s", String.join("\n", output))
                .isDirectory();
    }

    /** Runs a command in this module's folder, bounded; returns its merged output lines. */
    private static List<String> run(List<String> command, long timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).directory(MODULE.toFile()).redirectErrorStream(true).start();
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
        }, "e2e-output");
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5000);
            throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + "s:\n"
                    + String.join("\n", lines));
        }
        reader.join(5000);
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private static HttpServer foreignOriginServer() throws IOException {
        byte[] page;
        try (InputStream in = BrowserEndToEndTest.class.getResourceAsStream("/foreign-origin.html")) {
            page = in.readAllBytes();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/foreign.html", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html;charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
