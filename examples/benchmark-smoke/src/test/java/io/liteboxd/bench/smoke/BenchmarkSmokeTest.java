package io.liteboxd.bench.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liteboxd.bench.Args;
import io.liteboxd.bench.LoadGen;
import io.liteboxd.bench.Report;
import io.liteboxd.bench.Upstream;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark suite in seconds: the load generator against the upstream directly and through the library in
 * embedded Jetty, checking that every message came back intact and that the reports are well-formed. Asserts no
 * timings (this machine is shared and noisy); benchmarks/run.sh takes the measurements.
 */
class BenchmarkSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "smoke-token";

    private static Upstream upstream;
    private static Server gateway;
    private static int gatewayPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = Upstream.start("127.0.0.1", 0);
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(new StaticSandboxes.Entry(
                new Sandbox("bench", "127.0.0.1", true, Set.of(upstream.port())), TOKEN)));
        ProxyServlet servlet = new ProxyServlet(ProxyConfig.builder().build(), sandboxes.authenticator(),
                sandboxes.resolver(), new DirectPodConnector());
        gateway = new Server();
        ServerConnector connector = new ServerConnector(gateway);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        gateway.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.NO_SESSIONS);
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        context.addServletContainerInitializer((classes, ctx) -> ProxyRegistration.register(ctx, servlet));
        gateway.setHandler(context);
        gateway.start();
        gatewayPort = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String direct(String scheme, String path) {
        return scheme + "://127.0.0.1:" + upstream.port() + path;
    }

    private static String proxied(String scheme, String path) {
        return scheme + "://127.0.0.1:" + gatewayPort + "/api/v1/sandbox/bench/port/" + upstream.port() + path;
    }

    private static JsonNode loadgen(String url, boolean viaGateway, String... rest) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--url", url, "--verify", "full"));
        if (viaGateway) {
            argv.addAll(List.of("--token", TOKEN));
        }
        argv.addAll(List.of(rest));
        ObjectNode result = new LoadGen(new Args(argv.toArray(String[]::new)), LoadGen.Control.NONE).run();
        // What the driver reads: one line of JSON.
        return JSON.readTree(JSON.writeValueAsString(result));
    }

    @Test
    void throughputEchoesEveryMessageIntactDirectAndThroughTheGateway() throws Exception {
        for (boolean viaGateway : new boolean[] {false, true}) {
            String url = viaGateway ? proxied("ws", "/ws") : direct("ws", "/ws");
            JsonNode r = loadgen(url, viaGateway, "--mode", "throughput", "--connections", "4", "--size", "64",
                    "--window", "8", "--warmup", "0.2", "--duration", "2");
            assertThat(r.path("mode").asText()).isEqualTo("throughput");
            assertThat(r.path("open").asInt()).as("open connections via gateway=" + viaGateway).isEqualTo(4);
            assertThat(r.path("messages").asLong()).as("messages echoed in the window").isPositive();
            assertThat(r.path("received").asLong()).isEqualTo(r.path("sent").asLong());
            assertThat(r.path("mismatches").asLong()).isZero();
            assertThat(r.path("errors").asLong()).isZero();
            assertThat(r.path("msgsPerSec").isNumber()).isTrue();
            assertThat(r.path("mbPerSec").isNumber()).isTrue();
        }
    }

    @Test
    void largeMessagesLatencyHandshakesIdleAndBigMessageThroughTheGateway() throws Exception {
        JsonNode large = loadgen(proxied("ws", "/ws"), true, "--mode", "throughput", "--connections", "2",
                "--size", "65536", "--window", "2", "--warmup", "0.2", "--duration", "1");
        assertThat(large.path("mismatches").asLong()).isZero();
        assertThat(large.path("received").asLong()).isEqualTo(large.path("sent").asLong()).isPositive();

        JsonNode latency = loadgen(proxied("ws", "/ws"), true, "--mode", "latency", "--connections", "4",
                "--rate", "200", "--warmup", "0.2", "--duration", "1");
        assertThat(latency.path("samples").asLong()).isPositive();
        assertThat(latency.path("p99Ms").asDouble()).isGreaterThanOrEqualTo(latency.path("p50Ms").asDouble());
        assertThat(latency.path("distribution").isArray()).isTrue();
        assertThat(latency.path("mismatches").asLong()).isZero();

        JsonNode handshakes = loadgen(proxied("ws", "/ws"), true, "--mode", "handshake", "--concurrency", "2",
                "--warmup", "0.1", "--duration", "1");
        assertThat(handshakes.path("handshakes").asLong()).isPositive();
        assertThat(handshakes.path("failures").asLong()).isZero();

        JsonNode idle = loadgen(proxied("ws", "/ws"), true, "--mode", "idle", "--connections", "20",
                "--steps", "10,20");
        assertThat(idle.path("open").asInt()).isEqualTo(20);
        assertThat(idle.path("stillOpenAtEnd").asInt()).isEqualTo(20);

        JsonNode big = loadgen(proxied("ws", "/ws"), true, "--mode", "big", "--size", String.valueOf(1 << 20));
        assertThat(big.path("echoed").asBoolean()).isTrue();

        JsonNode ttfb = loadgen(proxied("http", "/sse"), true, "--mode", "ttfb", "--requests", "2");
        assertThat(ttfb.path("requests").asInt()).isEqualTo(2);
        assertThat(ttfb.path("firstEventP50Ms").asDouble()).isPositive();
    }

    @Test
    void fixedRateModesCountWhatTheyCompletedInTheAnnouncedWindow() throws Exception {
        JsonNode gets = loadgen(proxied("http", "/small"), true, "--mode", "getrate", "--connections", "4",
                "--rate", "100", "--warmup", "0.2", "--duration", "1");
        assertThat(gets.path("errors").asLong()).isZero();
        assertThat(gets.path("lost").asLong()).isZero();
        assertThat(gets.path("windowEvents").asLong()).isPositive();
        assertThat(gets.path("samples").asLong()).isPositive();

        JsonNode handshakes = loadgen(proxied("ws", "/ws"), true, "--mode", "hsrate", "--rate", "20",
                "--warmup", "0.2", "--duration", "1");
        assertThat(handshakes.path("errors").asLong()).as(handshakes.toString()).isZero();
        assertThat(handshakes.path("notClosed").asLong()).isZero();
        assertThat(handshakes.path("windowEvents").asLong()).isPositive();

        JsonNode messages = loadgen(proxied("ws", "/ws"), true, "--mode", "latency", "--connections", "4",
                "--size", "4096", "--rate", "200", "--warmup", "0.2", "--duration", "1");
        assertThat(messages.path("mismatches").asLong()).isZero();
        assertThat(messages.path("windowEvents").asLong()).isPositive();
        assertThat(messages.path("windowSeconds").asDouble()).isPositive();
    }

    @Test
    void thePageLoadPagePullsEveryModuleAndItsWebSocketGreetsFirst() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> main = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(proxied("http", "/page/main.js"))).header("X-Access-Token", TOKEN).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(main.statusCode()).isEqualTo(200);
        assertThat(main.body().lines().filter(l -> l.startsWith("import ")).count()).isEqualTo(Upstream.PAGE_MODULES);
        java.net.http.HttpResponse<String> last = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(proxied("http", "/page/m/" + (Upstream.PAGE_MODULES - 1) + ".js")))
                .header("X-Access-Token", TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(last.statusCode()).isEqualTo(200);
        assertThat(last.headers().firstValue("content-type")).hasValue("text/javascript");
        java.net.http.HttpResponse<String> beyond = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(direct("http", "/page/m/" + Upstream.PAGE_MODULES + ".js"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(beyond.statusCode()).isEqualTo(404);

        java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = client.newWebSocketBuilder().header("X-Access-Token", TOKEN)
                .buildAsync(java.net.URI.create(proxied("ws", "/hello")), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
                                                                          CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains("connected");
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void straceSummariesAreReadByName() {
        List<String> summary = List.of(
                "% time     seconds  usecs/call     calls    errors syscall",
                "------ ----------- ----------- --------- --------- ----------------",
                " 52.10    0.104200           5     20000      9000 read",
                " 40.00    0.080000           4     20000           writev",
                "  7.90    0.015800          31       500           epoll_wait",
                "------ ----------- ----------- --------- --------- ----------------",
                "100.00    0.200000                 40500      9000 total");
        var calls = io.liteboxd.bench.Suite.parseStrace(summary);
        assertThat(calls.keySet()).containsExactly("read", "writev", "epoll_wait");
        assertThat(calls.get("read")).containsExactly(20000L, 9000L);
        assertThat(calls.get("writev")).containsExactly(20000L, 0L);
    }

    @Test
    void compilerCpuIsTheJitThreadsShareOfTheProcess() {
        // This JVM compiled the test framework on its way here: its compiler threads have CPU time of their own.
        List<Long> self = List.of(ProcessHandle.current().pid());
        double compiler = io.liteboxd.bench.ProcStats.compilerCpuSeconds(self);
        assertThat(compiler).isGreaterThan(0).isLessThanOrEqualTo(io.liteboxd.bench.ProcStats.cpuSeconds(self));
        assertThat(io.liteboxd.bench.ProcStats.compilerCpuSeconds(List.of(Long.MAX_VALUE))).isZero();
    }

    @Test
    void reportWritesMarkdownJsonAndChart(@TempDir Path dir) throws Exception {
        JsonNode latency = loadgen(direct("ws", "/ws"), false, "--mode", "latency", "--connections", "2",
                "--rate", "200", "--warmup", "0.1", "--duration", "0.5");
        ObjectNode results = JSON.createObjectNode();
        results.put("mode", "smoke");
        results.putObject("machine").put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode runs = results.putArray("runs");
        ObjectNode run = runs.addObject();
        run.put("repeat", 1);
        ObjectNode figures = run.putObject("figures");
        ObjectNode raw = run.putObject("raw");
        double[] scale = {1.0, 0.5, 0.9};
        String[] names = {"direct", "gateway", "nginx"};
        for (int i = 0; i < names.length; i++) {
            figures.putObject(names[i]).put("ws.64B.c50.msgs", 10_000 * scale[i]).put("ws.64B.c50.MBps", 0.64 * scale[i])
                    .put("rate.ws64.p99", latency.path("p99Ms").asDouble() / scale[i])
                    .put("rate.ws64.achieved", scale[i]).put("rate.ws64.jit", 0.2 * (1 - scale[i]));
            raw.putObject(names[i]).set("rate.ws64", latency);
        }
        // nginx ahead of direct: a row the harness, not the proxy, decides, which the report must flag.
        ((ObjectNode) figures.get("direct")).put("http.get.rps", 1000);
        ((ObjectNode) figures.get("nginx")).put("http.get.rps", 1200);
        ((ObjectNode) figures.get("gateway")).put("http.get.rps", 800);
        ((ObjectNode) figures.get("gateway")).put("ws.idle.heapPerConn", 12.5).put("ws.idle.connections", 100);
        ((ObjectNode) figures.get("direct")).put("rate.get.upstreamCpuUs", 71.5);
        // The library in Tomcat against the better of the two servlet proxies in Tomcat in the same repeat, row by row.
        figures.putObject("tomcat").put("http.get.rps", 900).put("rate.get.cpuUs", 20.0);
        figures.putObject("jetty-proxy-tomcat").put("http.get.rps", 950).put("rate.get.cpuUs", 25.0);
        figures.putObject("smiley-tomcat").put("http.get.rps", 600).put("rate.get.cpuUs", 50.0);

        Report.write(results, dir);

        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md).contains("throughput 64 B × 50 conns").contains("×d 0.50").contains("Targets of issue 5");
        assertThat(md).contains("Harness check").contains("- small GET (wrk, 50 connections): nginx (×d 1.20)")
                .doesNotContain("- small GET (wrk, 50 connections): **gateway**")
                .contains("gateway** (library in Jetty 12), rate.ws64: 50% of the offered rate")
                .contains("gateway** (library in Jetty 12), rate.ws64: 10% of the proxy's CPU")
                .doesNotContain("nginx, rate.ws64: 2% of the proxy's CPU");
        assertThat(md.indexOf("## Fixed offered rates")).isLessThan(md.indexOf("## WebSocket"));
        assertThat(md).containsPattern("upstream CPU per small GET \\(a Jetty 12 server[^|]*\\| 71\\.5 µs");
        assertThat(md).contains("the library vs the best servlet proxy in the same container")
                .contains("| small GET (wrk, 50 connections) | tomcat | 0.95x | ≥ 1.0x | **no** | Jetty AsyncProxyServlet in "
                        + "Tomcat 11 |")
                .contains("| proxy CPU per small GET at 2,000 req/s × 50 conns | tomcat | 0.80x | ≤ 1.0x | yes | Jetty "
                        + "AsyncProxyServlet in Tomcat 11 |")
                .doesNotContain("| small GET (wrk, 50 connections) | gateway |");
        JsonNode back = JSON.readTree(Files.readString(dir.resolve("results.json")));
        assertThat(back.path("summary").path("gateway").path("ws.64B.c50.msgs").path("vsNginx").asDouble())
                .isBetween(0.55, 0.56);
        BufferedImage png = ImageIO.read(dir.resolve("latency.png").toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isGreaterThan(100);
    }
}
