package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port ({@code --admin-port}): health, readiness (also while draining) and Prometheus metrics that match
 * the traffic sent, on a port of its own that the sandbox routes never reach.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdminPortTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static GatewayOptions withAdmin(GatewayOptions options) {
        return options.withListen("127.0.0.1", 0).withDeploy(DeployOptions.NONE.withAdminPort(0));
    }

    @Test
    void metrics_countWhatWasSent() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(withAdmin(GatewayOptions.defaults()))) {
            DemoSandbox demo = gateway.demo().orElseThrow();
            URI admin = gateway.adminUri().orElseThrow();
            assertThat(admin.getPort()).isNotEqualTo(gateway.port());
            String mount = gateway.baseUri() + gateway.routePrefix() + "/demo/port/" + demo.port();

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> ok = TestHttp.get(URI.create(mount + "/echo?n=" + i), "X-Access-Token",
                        demo.token());
                assertThat(ok.statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(TestHttp.get(URI.create(mount + "/echo"), "X-Access-Token", "wrong").statusCode())
                        .isEqualTo(401);
            }

            WebSocketClient client = new WebSocketClient();
            client.start();
            try {
                List<Session> sessions = new ArrayList<>();
                List<RecordingSocket> sockets = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ClientUpgradeRequest upgrade = new ClientUpgradeRequest(URI.create("ws" + mount.substring(4)
                            + "/ws"));
                    upgrade.setHeader("X-Access-Token", demo.token());
                    RecordingSocket socket = new RecordingSocket();
                    sessions.add(client.connect(socket, upgrade).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                    sockets.add(socket);
                }
                ClientUpgradeRequest refused = new ClientUpgradeRequest(URI.create("ws" + mount.substring(4)
                        + "/ws"));
                refused.setHeader("X-Access-Token", "wrong");
                CompletableFuture<Session> attempt = client.connect(new RecordingSocket(), refused);
                assertThat(attempt).failsWithin(WAIT);

                String open = scrape(admin);
                assertThat(value(open, "liteboxd_websocket_open", "sandbox", "demo")).isEqualTo(2);

                for (Session s : sessions) {
                    s.close(StatusCode.NORMAL, "bye", org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
                for (RecordingSocket socket : sockets) {
                    assertThat(socket.closeCode(WAIT)).isEqualTo(StatusCode.NORMAL);
                }
            } finally {
                client.stop();
            }

            String text = awaitScrape(admin, "liteboxd_websocket_sessions_total", "closed_by", "client", 2);
            assertThat(value(text, "liteboxd_http_requests_total", "status", "2xx")).isEqualTo(4);
            assertThat(value(text, "liteboxd_http_requests_total", "status", "4xx")).isEqualTo(3);
            assertThat(value(text, "liteboxd_http_requests_total", "status", "5xx")).isZero();
            assertThat(value(text, "liteboxd_refusals_total", "code", "token_invalid", "kind", "http")).isEqualTo(3);
            assertThat(value(text, "liteboxd_http_request_duration_seconds_count")).isEqualTo(7);
            assertThat(value(text, "liteboxd_websocket_handshakes_total", "status", "101")).isEqualTo(2);
            assertThat(value(text, "liteboxd_websocket_handshakes_total", "status", "401")).isEqualTo(1);
            assertThat(value(text, "liteboxd_refusals_total", "code", "token_invalid", "kind", "websocket"))
                    .isEqualTo(1);
            assertThat(value(text, "liteboxd_websocket_upstream_connect_seconds_count")).isEqualTo(2);
            assertThat(text).doesNotContain("liteboxd_websocket_open{");
            assertThat(text).contains("jvm_memory_used_bytes", "process_uptime_seconds");
            // The token never shows up in what is scraped.
            assertThat(text).doesNotContain(demo.token());
        }
    }

    @Test
    void health_readiness_andTheAdminPathsAreNotOnTheSandboxPort() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(withAdmin(GatewayOptions.defaults()))) {
            URI admin = gateway.adminUri().orElseThrow();
            HttpResponse<String> health = TestHttp.get(admin.resolve("/healthz"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(TestHttp.json(health).path("status").asText()).isEqualTo("up");
            HttpResponse<String> ready = TestHttp.get(admin.resolve("/readyz"));
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(TestHttp.get(admin.resolve("/metrics")).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));

            HttpResponse<String> unknown = TestHttp.get(admin.resolve("/api/v1/sandbox/demo/port/1/"));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(TestHttp.json(unknown).path("code").asText()).isEqualTo("route_not_found");
            assertThat(TestHttp.post(admin.resolve("/readyz"), "").statusCode()).isEqualTo(405);

            for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/api/v1/sandbox/x/port/1/metrics",
                    "/api/v1/sandbox/demo/port/" + gateway.adminPort().orElseThrow() + "/metrics"}) {
                HttpResponse<String> r = TestHttp.get(URI.create(gateway.baseUri() + path));
                assertThat(r.statusCode()).as(path).isIn(401, 404);
                assertThat(r.body()).as(path).doesNotContain("liteboxd_http_requests_total", "\"up\"");
            }
        }
    }

    @Test
    void noAdminPort_unlessAsked() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0))) {
            assertThat(gateway.adminPort()).isEmpty();
            assertThat(Banner.render(gateway)).doesNotContain("Admin port");
        }
    }

    @Test
    void readiness_turnsFalseWhileDraining_andInFlightRequestsFinish() throws Exception {
        CountDownLatch requestArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread upstream = new Thread(() -> answerWhenReleased(slow, requestArrived, release), "slow-upstream");
            upstream.setDaemon(true);
            upstream.start();
            Path sandboxes = dir.resolve("sandboxes.json");
            Files.writeString(sandboxes, "{\"sandboxes\":[{\"id\":\"slow\",\"host\":\"127.0.0.1\",\"token\":\"t\"}]}");
            GatewayServer gateway = GatewayServer.start(withAdmin(GatewayOptions.defaults()
                    .withSandboxesFile(sandboxes)));
            URI admin = gateway.adminUri().orElseThrow();
            assertThat(TestHttp.get(admin.resolve("/readyz")).statusCode()).isEqualTo(200);

            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> TestHttp.get(
                    URI.create(gateway.baseUri() + "/api/v1/sandbox/slow/port/" + slow.getLocalPort() + "/x"),
                    "X-Access-Token", "t"));
            assertThat(requestArrived.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::stop);

            HttpResponse<String> draining = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                draining = TestHttp.get(admin.resolve("/readyz"));
                if (draining.statusCode() == 503) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(TestHttp.json(draining).path("reason").asText()).isEqualTo("draining");
            assertThat(TestHttp.get(admin.resolve("/healthz")).statusCode()).isEqualTo(200);
            assertThat(stopping).isNotDone();

            release.countDown();
            HttpResponse<String> finished = inFlight.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("done");
            stopping.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(gateway.adminPort()).isEmpty();
        }
    }

    @Test
    void adminPortTaken_isAOneLineStartError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            GatewayOptions options = GatewayOptions.defaults().withListen("127.0.0.1", 0)
                    .withDeploy(DeployOptions.NONE.withAdminPort(taken.getLocalPort()));
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(GatewayStartException.class,
                    () -> GatewayServer.start(options)))
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (--admin-port)");
        }
    }

    /** Reads one request head, waits for {@code release}, then answers 200 "done". */
    private static void answerWhenReleased(ServerSocket server, CountDownLatch arrived, CountDownLatch release) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            arrived.countDown();
            release.await(30, TimeUnit.SECONDS);
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        } catch (IOException | InterruptedException e) {
            // The test fails on the missing response.
        }
    }

    static String scrape(URI admin) {
        HttpResponse<String> r = TestHttp.get(admin.resolve("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String awaitScrape(URI admin, String name, String label, String labelValue, double expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String text = scrape(admin);
        while (value(text, name, label, labelValue) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            text = scrape(admin);
        }
        return text;
    }

    /**
     * The value of the sample {@code name} whose labels include every {@code label, value} pair given; 0 when no
     * such sample is exposed (a counter not yet incremented).
     */
    static double value(String exposition, String name, String... labels) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
