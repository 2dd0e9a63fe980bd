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
 * <p>A second gateway serves two sandboxes of one user on one origin (path-style), a victim app and a hostile one:
 * after a link login the token is gone from the address bar and from every {@code Referer}; cookies the hostile page
 * plants on the victim's paths do not lock the user out; and the hostile page cannot install a service worker for
 * the whole origin.
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
    /** A second gateway, path-style, serving two sandboxes of one user: a victim app and a hostile one. */
    private GatewayServer twoSandboxes;
    private HttpServer victimApp;
    private HttpServer hostileApp;
    /** Every Referer the victim app received for its page's subresource. */
    private final List<String> victimReferers = java.util.Collections.synchronizedList(new ArrayList<>());
    private String victimPage;

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
        ObjectNode creds = startTwoSandboxes();

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
                .put("foreignPage", "http://127.0.0.1:" + foreignOrigin.getAddress().getPort() + "/foreign.html")
                .set("creds", creds);
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
        for (HttpServer app : new HttpServer[] {victimApp, hostileApp}) {
            if (app != null) {
                app.stop(0);
            }
        }
        if (twoSandboxes != null) {
            twoSandboxes.stop();
        }
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

    @Test
    void afterALinkLogin_theTokenIsNeitherInTheAddressBarNorInAnyReferer() {
        JsonNode creds = seen.path("creds");

        assertThat(creds.path("loginStatus").asInt()).as(creds.toString()).isEqualTo(200);
        assertThat(creds.path("loginUrl").asText()).isEqualTo(victimPage + "?keep=1&z=%7E");
        assertThat(victimReferers).as("the subresource was loaded").isNotEmpty();
        assertThat(victimReferers).allSatisfy(referer -> assertThat(referer)
                .doesNotContain(VICTIM_TOKEN).doesNotContain("liteboxd_token"));
        assertThat(creds.path("nextReferrer").asText()).as("document.referrer of the next page")
                .startsWith(victimPage).doesNotContain(VICTIM_TOKEN).doesNotContain("liteboxd_token");
    }

    @Test
    void cookiesPlantedByAnotherSandboxPage_doNotLockTheUserOutOfThisSandbox() {
        JsonNode creds = seen.path("creds");

        assertThat(creds.path("planted").path("planted")).as(creds.toString()).hasSize(10);
        assertThat(creds.path("victimTokenCookies").asInt()).as("the browser sends all of them and the real one")
                .isEqualTo(11);
        assertThat(creds.path("afterPlant").path("status").asInt()).as(creds.toString()).isEqualTo(200);
        assertThat(creds.path("afterPlant").path("marker").asText()).isEqualTo("victim page");
        assertThat(creds.path("afterRelogin").path("status").asInt()).isEqualTo(200);
        assertThat(creds.path("afterRelogin").path("marker").asText()).isEqualTo("victim page");
    }

    /**
     * A sandbox page must not install a service worker for the whole gateway origin: it would see (and could answer)
     * every request to every other sandbox. The gateway drops {@code Service-Worker-Allowed} on path-style routes so
     * that the browser refuses the scope.
     */
    @Test
    void aSandboxPage_cannotInstallAServiceWorkerForTheWholeOrigin() {
        JsonNode sw = seen.path("creds").path("serviceWorker");

        assertThat(sw.path("outcome").asText()).as(sw.toString()).isEqualTo("refused");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static final String VICTIM_TOKEN = "victim-token-e2e";
    private static final String HOSTILE_TOKEN = "hostile-token-e2e";

    /**
     * Starts the two sandbox apps and a gateway serving them from a sandboxes file; returns what browser-check needs
     * to know about them.
     */
    private ObjectNode startTwoSandboxes() throws Exception {
        victimApp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        victimApp.createContext("/a/b/c/d/page.html", ex -> send(ex, "text/html", resource("victim-page.html")));
        victimApp.createContext("/a/b/c/d/next.html", ex -> send(ex, "text/html", resource("victim-next.html")));
        victimApp.createContext("/a/b/c/d/pixel.gif", exchange -> {
            victimReferers.add(String.valueOf(exchange.getRequestHeaders().getFirst("Referer")));
            send(exchange, "image/gif", java.util.Base64.getDecoder()
                    .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));
        });
        victimApp.start();
        hostileApp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hostileApp.createContext("/plant.html", ex -> send(ex, "text/html", resource("hostile-plant.html")));
        hostileApp.createContext("/sw.html", exchange -> send(exchange, "text/html", resource("hostile-sw.html")));
        hostileApp.createContext("/sw.js", exchange -> {
            exchange.getResponseHeaders().add("Service-Worker-Allowed", "/");
            send(exchange, "text/javascript", resource("hostile-sw.js"));
        });
        hostileApp.start();

        Path sandboxes = Files.createDirectories(MODULE.resolve("target/e2e")).resolve("two-sandboxes.json");
        Files.writeString(sandboxes, JSON.writeValueAsString(JSON.createObjectNode().set("sandboxes",
                JSON.createArrayNode()
                        .add(JSON.createObjectNode().put("id", "victim").put("host", "127.0.0.1")
                                .put("token", VICTIM_TOKEN))
                        .add(JSON.createObjectNode().put("id", "hostile").put("host", "127.0.0.1")
                                .put("token", HOSTILE_TOKEN)))));
        twoSandboxes = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes));
        String base = twoSandboxes.baseUri().toString().replaceAll("/$", "") + "/api/v1/sandbox/";
        victimPage = base + "victim/port/" + victimApp.getAddress().getPort() + "/a/b/c/d/page.html";
        return JSON.createObjectNode()
                .put("victimPage", victimPage)
                .put("victimToken", VICTIM_TOKEN)
                .put("hostileMount", base + "hostile/port/" + hostileApp.getAddress().getPort())
                .put("hostileToken", HOSTILE_TOKEN);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BrowserEndToEndTest.class.getResourceAsStream("/apps/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type + (type.startsWith("image") ? "" : ";charset=utf-8"));
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

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
