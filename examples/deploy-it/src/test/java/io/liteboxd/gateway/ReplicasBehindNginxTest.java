package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.testkit.Nginx;
import io.liteboxd.proxy.testkit.RawUpstream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway processes (the runnable jar of {@code examples/standalone}, each its own JVM, stopped with a real
 * SIGTERM) behind nginx round-robin, over the same sandboxes file and signing key, behave as one gateway: a cookie
 * set by one and a share link are accepted by all; a replica stopped while 200 WebSockets are open sends its share of
 * them 1001, finishes its in-flight HTTP requests, and the clients' reconnects land on the others, while a steady
 * stream of requests through nginx sees no error.
 *
 * <p>Needs Debian's {@code nginx}; skipped with a message when it is missing, unless {@code LITEBOXD_REQUIRE_NGINX}
 * is set.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplicasBehindNginxTest {

    private static final String KEY = "replicas-test-signing-key-0123456789abcdef";
    private static final String TOKEN = "replica-token";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int WEBSOCKETS = 200;
    private static final int SLOW_REQUESTS = 5;
    private static final long SLOW_MILLIS = 3_000;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();

    @TempDir
    static Path dir;

    private static DemoSandbox upstream;
    private static RawUpstream slow;
    private static final AtomicInteger slowArrived = new AtomicInteger();
    private static final List<Replica> replicas = new ArrayList<>();
    private static Nginx nginx;
    private static int nginxPort;
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "replicas-test");
        t.setDaemon(true);
        return t;
    });

    private record Replica(Process process, int port, int adminPort, Path log) {
        URI base() {
            return URI.create("http://127.0.0.1:" + port);
        }

        URI admin() {
            return URI.create("http://127.0.0.1:" + adminPort);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Nginx.requireOrSkip("the several-replicas test");
        Path jar = Path.of(System.getProperty("gateway.jar", "../standalone/target/liteboxd-gateway.jar"));
        assertThat(jar).as("the runnable gateway jar (built by examples/standalone's package phase)").exists();

        upstream = DemoSandbox.start();
        slow = RawUpstream.start(ReplicasBehindNginxTest::answerSlowly);
        Path sandboxes = Files.writeString(dir.resolve("sandboxes.json"), "{\"sandboxes\":["
                + "{\"id\":\"demo\",\"host\":\"127.0.0.1\",\"token\":\"" + TOKEN + "\"},"
                + "{\"id\":\"slow\",\"host\":\"127.0.0.1\",\"token\":\"" + TOKEN + "\"}]}");
        Path key = Files.writeString(dir.resolve("signing-key"), KEY + "\n");

        for (int i = 0; i < 3; i++) {
            replicas.add(startReplica(jar, i, sandboxes, key));
        }
        for (Replica r : replicas) {
            awaitReady(r);
        }
        nginxPort = Nginx.freePort();
        nginx = startNginx();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        for (Replica r : replicas) {
            r.process().destroy();
        }
        for (Replica r : replicas) {
            if (!r.process().waitFor(30, TimeUnit.SECONDS)) {
                r.process().destroyForcibly();
            }
        }
        if (slow != null) {
            slow.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
        THREADS.shutdownNow();
    }

    @Test
    @Order(1)
    void aCookieSetByOneReplicaAndAShareLink_areAcceptedByAll() throws Exception {
        String echo = "/api/v1/sandbox/demo/port/" + upstream.port() + "/echo";

        HttpResponse<String> login = get(replicas.get(0).base().resolve(echo + "?liteboxd_token=" + TOKEN), null);
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = cookie(login, "liteboxd_token");
        for (Replica r : replicas) {
            assertThat(get(r.base().resolve(echo), cookie).statusCode()).as("cookie on :%d", r.port())
                    .isEqualTo(200);
        }

        // Signed the way the platform's service would, with the key of the mounted Secret.
        String link = new ShareLinks(KEY).sign("demo", upstream.port(), Duration.ofMinutes(5));
        HttpResponse<String> shared = get(replicas.get(1).base().resolve(echo + "?liteboxd_share=" + link), null);
        assertThat(shared.statusCode()).isEqualTo(200);
        String shareCookie = cookie(shared, "liteboxd_share");
        for (Replica r : replicas) {
            assertThat(get(r.base().resolve(echo + "?liteboxd_share=" + link), null).statusCode())
                    .as("share link on :%d", r.port()).isEqualTo(200);
            assertThat(get(r.base().resolve(echo), shareCookie).statusCode())
                    .as("share cookie on :%d", r.port()).isEqualTo(200);
        }
        // And through the round-robin front, which spreads these over all three.
        for (int i = 0; i < 6; i++) {
            assertThat(get(front(echo), cookie).statusCode()).isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void aReplicaStoppedWithSigterm_drainsAndTheOthersTakeOver() throws Exception {
        Replica victim = replicas.get(0);
        String wsPath = "/api/v1/sandbox/demo/port/" + upstream.port() + "/ws";
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(1024);
        client.start();
        try {
            List<EchoClient> sockets = new ArrayList<>();
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < WEBSOCKETS; i++) {
                EchoClient socket = new EchoClient();
                sessions.add(connect(client, socket, wsPath));
                sockets.add(socket);
            }
            for (int i = 0; i < WEBSOCKETS; i++) {
                assertThat(sockets.get(i).next(WAIT)).isEqualTo(EchoSocket.GREETING);
                sessions.get(i).sendText("ping-" + i, org.eclipse.jetty.websocket.api.Callback.NOOP);
                assertThat(sockets.get(i).next(WAIT)).isEqualTo("ping-" + i);
            }
            double onVictim = openWebSockets(victim);
            assertThat(onVictim).as("round-robin gave the victim its share").isGreaterThan(0);

            // A steady stream of requests through the front for the whole stop.
            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            List<Future<?>> load = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                load.add(THREADS.submit(() -> {
                    while (running.get()) {
                        String outcome;
                        try {
                            outcome = Integer.toString(get(front("/api/v1/sandbox/demo/port/" + upstream.port()
                                    + "/echo"), "X-Access-Token: " + TOKEN).statusCode());
                        } catch (Exception e) {
                            outcome = e.getClass().getSimpleName();
                        }
                        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            // HTTP requests in flight on the victim itself when it is told to stop.
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            int before = slowArrived.get();
            for (int i = 0; i < SLOW_REQUESTS; i++) {
                URI uri = victim.base().resolve("/api/v1/sandbox/slow/port/" + slow.port() + "/slow-" + i);
                inFlight.add(CompletableFuture.supplyAsync(() -> getUnchecked(uri, "X-Access-Token: " + TOKEN),
                        THREADS));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (slowArrived.get() < before + SLOW_REQUESTS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(slowArrived.get() - before).isEqualTo(SLOW_REQUESTS);

            long stopStart = System.nanoTime();
            victim.process().destroy(); // SIGTERM
            assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).as("the victim exits").isTrue();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStart);
            // 128 + SIGTERM: the JVM ran its shutdown hooks (the gateway's drain) and ended on the signal.
            assertThat(victim.process().exitValue()).isEqualTo(143);
            assertThat(Files.readString(victim.log())).contains("liteboxd-gateway stopped");

            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(r.statusCode()).as("an in-flight request on the stopped replica").isEqualTo(200);
                assertThat(r.body()).isEqualTo("slow-ok");
            }

            // Every WebSocket on the victim was told 1001; every other one is still open and relaying.
            List<Integer> goingAway = new ArrayList<>();
            for (int i = 0; i < WEBSOCKETS; i++) {
                CompletableFuture<Integer> closed = sockets.get(i).closed();
                if (closed.isDone()) {
                    assertThat(closed.get()).as("close code of WebSocket %d", i).isEqualTo(StatusCode.SHUTDOWN);
                    goingAway.add(i);
                }
            }
            assertThat((double) goingAway.size()).as("closed with 1001").isEqualTo(onVictim);

            // The clients that were sent away reconnect through the same front and land on the survivors.
            for (int i : goingAway) {
                EchoClient socket = new EchoClient();
                sessions.set(i, connect(client, socket, wsPath));
                sockets.set(i, socket);
                assertThat(socket.next(WAIT)).isEqualTo(EchoSocket.GREETING);
            }
            for (int i = 0; i < WEBSOCKETS; i++) {
                sessions.get(i).sendText("again-" + i, org.eclipse.jetty.websocket.api.Callback.NOOP);
                assertThat(sockets.get(i).next(WAIT)).isEqualTo("again-" + i);
                assertThat(sockets.get(i).closed()).isNotDone();
            }
            assertThat(openWebSockets(replicas.get(1)) + openWebSockets(replicas.get(2))).isEqualTo(WEBSOCKETS);

            Thread.sleep(500);
            running.set(false);
            for (Future<?> f : load) {
                f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            Map<String, Integer> seen = new java.util.TreeMap<>();
            outcomes.forEach((k, v) -> seen.put(k, v.get()));
            System.err.println("replica stop took " + stopMillis + " ms; " + goingAway.size()
                    + " WebSockets sent 1001 and reconnected; requests through nginx meanwhile: " + seen);
            assertThat(seen).as("every request through the front during the stop").containsOnlyKeys("200");
            assertThat(seen.get("200")).isPositive();
        } finally {
            client.stop();
        }
    }

    private static Session connect(WebSocketClient client, EchoClient socket, String path) throws Exception {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(URI.create("ws://127.0.0.1:" + nginxPort + path));
        upgrade.setHeader("X-Access-Token", TOKEN);
        return client.connect(socket, upgrade).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static double openWebSockets(Replica r) throws Exception {
        String text = get(r.admin().resolve("/metrics"), null).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("liteboxd_websocket_open{") && line.contains("sandbox=\"demo\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static URI front(String path) {
        return URI.create("http://127.0.0.1:" + nginxPort + path);
    }

    private static String cookie(HttpResponse<String> response, String name) {
        String set = response.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith(name + "="))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie: " + response.headers()));
        return "Cookie: " + set.substring(0, set.indexOf(';'));
    }

    /** @param header one "Name: value" header, or {@code null} */
    private static HttpResponse<String> get(URI uri, String header) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(WAIT);
        if (header != null) {
            int colon = header.indexOf(':');
            b.header(header.substring(0, colon), header.substring(colon + 1).trim());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> getUnchecked(URI uri, String header) {
        try {
            return get(uri, header);
        } catch (Exception e) {
            throw new IllegalStateException(uri + ": " + e, e);
        }
    }

    private static Replica startReplica(Path jar, int index, Path sandboxes, Path key) throws Exception {
        int port = Nginx.freePort();
        int adminPort = Nginx.freePort();
        Path log = dir.resolve("replica-" + index + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString(),
                "--listen", "127.0.0.1:" + port, "--admin-port", Integer.toString(adminPort),
                "--sandboxes", sandboxes.toString(), "--signing-key-file", key.toString(),
                // Every client arrives from nginx's address, and one sandbox holds all the test's WebSockets.
                "--max-connections-per-ip", "0", "--max-websockets-per-sandbox", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Replica(p, port, adminPort, log);
    }

    private static void awaitReady(Replica r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!r.process().isAlive()) {
                throw new IllegalStateException("replica exited: " + Files.readString(r.log()));
            }
            try {
                if (get(r.admin().resolve("/readyz"), null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("replica not ready: " + Files.readString(r.log()));
    }

    /** Answers each request after {@link #SLOW_MILLIS}: long enough to be in flight when its replica stops. */
    private static void answerSlowly(Socket s, RawUpstream upstream) throws Exception {
        upstream.readHead(s);
        slowArrived.incrementAndGet();
        Thread.sleep(SLOW_MILLIS);
        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\n"
                + "slow-ok").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static Nginx startNginx() throws Exception {
        StringBuilder servers = new StringBuilder();
        for (Replica r : replicas) {
            servers.append("    server 127.0.0.1:").append(r.port()).append(";\n");
        }
        // Round-robin, WebSocket upgrades passed on. A replica that refuses connections (stopped) or answers 503
        // (draining: no new WebSockets) is skipped for the next one, as a load balancer in front of a Service does.
        return Nginx.start(dir, nginxPort, 2048, """
                  upstream gateways {
                %1$s  }
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      proxy_pass http://gateways;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection $connection_upgrade;
                      proxy_set_header Host $host;
                      proxy_next_upstream error timeout http_503;
                      proxy_read_timeout 60s;
                    }
                  }
                """.formatted(servers, nginxPort));
    }
}
