package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1Pod;
import io.liteboxd.proxy.kubernetes.standin.ApiServerStandin;
import io.liteboxd.proxy.kubernetes.standin.Kubeconfigs;
import io.liteboxd.proxy.kubernetes.standin.Pods;
import io.liteboxd.proxy.kubernetes.standin.TestPki;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClientSocket;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone gateway's Kubernetes modes end to end: client -> gateway -> in-process API-server stand-in (TLS,
 * bearer token from a kubeconfig, pods list/watch, pods/proxy) -> echo backend on 127.0.0.1 (the stand-in, unlike
 * a real API server, proxies to loopback pod IPs).
 */
class KubernetesGatewayEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NAMESPACE = "liteboxd-sandbox";
    private static final String GATEWAY_TOKEN = "gateway-credential";
    private static final String POD_TOKEN = "pod-token-k8s1";
    /** TEST-NET-1: never answers, so a 200 proves the API server, not the file's host, was dialled. */
    private static final String UNREACHABLE_HOST = "192.0.2.1";

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static ApiServerStandin apiServer;
    private static Upstream backend;
    private static Path kubeconfig;
    private static Path noServiceAccount;
    private static WebSocketClient webSockets;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create("standalone-test-ca");
        apiServer = ApiServerStandin.start(pki, NAMESPACE);
        apiServer.allowToken(GATEWAY_TOKEN);
        backend = Upstream.start();
        kubeconfig = Kubeconfigs.bearerToken(dir, apiServer.uri(), pki.caPem(), GATEWAY_TOKEN);
        noServiceAccount = dir.resolve("no-service-account");

        // Mode 3 serves this pod by name and annotation token.
        apiServer.apply(Pods.ready(Pods.sandbox("k8s1", POD_TOKEN), "127.0.0.1"));
        // Mode 2 asks the API server for these pods by name; their annotations play no part there.
        apiServer.apply(Pods.ready(Pods.sandbox("static1", "not-the-file-token"), "127.0.0.1"));
        V1Pod boxed = Pods.ready(Pods.sandbox("static2", "not-the-file-token"), "127.0.0.1");
        boxed.getMetadata().name("box-static2");
        apiServer.apply(boxed);

        webSockets = new WebSocketClient();
        webSockets.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (webSockets != null) {
            webSockets.stop();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static GatewayServer start(Map<String, String> env, Path serviceAccountDir, String... args)
            throws Exception {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        all.addAll(Arrays.asList(args));
        GatewayOptions options = ((GatewayArgs.Run) GatewayArgs.parse(all)).options();
        return GatewayServer.start(options, GatewayMode.select(options, env, serviceAccountDir));
    }

    private static GatewayServer start(String... args) throws Exception {
        return start(Map.of(), noServiceAccount, args);
    }

    private static URI http(GatewayServer gateway, String sandbox, String pathAndQuery) {
        return URI.create(gateway.baseUri() + "/api/v1/sandbox/" + sandbox + "/port/" + backend.port() + pathAndQuery);
    }

    private static URI ws(GatewayServer gateway, String sandbox, String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/sandbox/" + sandbox + "/port/"
                + backend.port() + pathAndQuery);
    }

    private static Path sandboxesFile(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json);
    }

    /** The last request the stand-in's pod proxy forwarded, after checking that there are {@code expected}. */
    private static ApiServerStandin.ProxiedRequest lastProxied(int expected) {
        List<ApiServerStandin.ProxiedRequest> proxied = apiServer.proxiedRequests();
        assertThat(proxied).hasSize(expected);
        return proxied.get(proxied.size() - 1);
    }

    // --- mode 2: --sandboxes FILE --k8s-proxy ---------------------------------------------------------------

    @Test
    void sandboxesFileThroughTheApiServer_http() throws Exception {
        Path file = sandboxesFile("via-api.json", """
                {"sandboxes":[{"id":"static1","host":"%1$s","token":"static-token"},
                              {"id":"static2","host":"%1$s","token":"static-token-2"}]}
                """.formatted(UNREACHABLE_HOST));
        int before = apiServer.proxiedRequests().size();

        try (GatewayServer gateway = start("--sandboxes", file.toString(), "--k8s-proxy",
                "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE)) {
            assertThat(gateway.mode().kind()).isEqualTo(GatewayMode.Kind.SANDBOXES_VIA_API_SERVER);
            assertThat(gateway.podNames()).containsExactly(Map.entry("static1", "sandbox-static1"),
                    Map.entry("static2", "sandbox-static2"));

            HttpResponse<String> response = TestHttp.post(http(gateway, "static1", "/echo?x=1"), "from the file",
                    "X-Access-Token", "static-token");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode echo = TestHttp.json(response);
            assertThat(echo.path("body").asText()).isEqualTo("from the file");
            assertThat(echo.path("path").asText()).isEqualTo("/echo");
            assertThat(echo.path("query").asText()).isEqualTo("x=1");
            ApiServerStandin.ProxiedRequest proxied = lastProxied(before + 1);
            assertThat(proxied.target()).isEqualTo("/echo?x=1");
            assertThat(proxied.authenticatedAs()).isEqualTo("bearer");
            assertThat(proxied.header("X-Access-Token")).isNull();

            // The file authenticates: the pod's annotation is no token here.
            HttpResponse<String> annotation = TestHttp.get(http(gateway, "static1", "/echo"),
                    "X-Access-Token", "not-the-file-token");
            assertThat(annotation.statusCode()).isEqualTo(401);
            assertThat(TestHttp.json(annotation).path("code").asText()).isEqualTo("token_invalid");

            // The API server has no pod sandbox-static2 (only box-static2): its 404 comes back.
            HttpResponse<String> missingPod = TestHttp.get(http(gateway, "static2", "/echo"),
                    "X-Access-Token", "static-token-2");
            assertThat(missingPod.statusCode()).isEqualTo(404);
            assertThat(missingPod.body()).contains("sandbox-static2", "not found");

            assertThat(Banner.render(gateway)).contains(
                    "Mode: sandboxes file, upstream through the Kubernetes API server",
                    "Kubernetes: API server " + apiServer.uri() + ", namespace " + NAMESPACE + ", from kubeconfig "
                            + kubeconfig + " (--kubeconfig)",
                    "Sandboxes: static1, static2",
                    "Pods in namespace " + NAMESPACE + ": static1 -> sandbox-static1, static2 -> sandbox-static2")
                    .doesNotContain("static-token", GATEWAY_TOKEN);
        }
    }

    @Test
    void sandboxesFileThroughTheApiServer_webSocket() throws Exception {
        Path file = sandboxesFile("via-api-ws.json", """
                {"sandboxes":[{"id":"static1","host":"%s","token":"static-token"}]}
                """.formatted(UNREACHABLE_HOST));
        int before = apiServer.proxiedRequests().size();

        try (GatewayServer gateway = start("--sandboxes", file.toString(), "--k8s-proxy",
                "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE)) {
            ClientUpgradeRequest upgrade = new ClientUpgradeRequest(ws(gateway, "static1", "/ws/subprotocol?q=1"));
            upgrade.setHeader("X-Access-Token", "static-token");
            WsClientSocket socket = new WsClientSocket();

            Session session = webSockets.connect(socket, upgrade).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(socket.nextText(WAIT)).as("no subprotocol offered, none accepted").isEqualTo("protocol=");
            session.sendText("hello through the API server", Callback.NOOP);
            assertThat(socket.nextText(WAIT)).isEqualTo("hello through the API server");
            Upstream.Received handshake = backend.lastReceived();
            assertThat(handshake.webSocket()).isTrue();
            assertThat(handshake.path()).isEqualTo("/ws/subprotocol");
            assertThat(handshake.query()).isEqualTo("q=1");
            ApiServerStandin.ProxiedRequest proxied = lastProxied(before + 1);
            assertThat(proxied.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(proxied.header("X-Access-Token")).isNull();

            // The backend's own close code crosses the API server and both relay legs.
            session.sendText("close 4001 bye", Callback.NOOP);
            assertThat(socket.closeCode(WAIT)).isEqualTo(4001);
            assertThat(gateway.webSocketRelay()).startsWith("jetty-tunnel");
        }
    }

    @Test
    void podNamePrefixNamesThePodsOfEntriesWithoutAPodName() throws Exception {
        Path file = sandboxesFile("prefixed.json", """
                {"sandboxes":[{"id":"static2","host":"%1$s","token":"t2"},
                              {"id":"static1","host":"%1$s","token":"t1","podName":"sandbox-static1"}]}
                """.formatted(UNREACHABLE_HOST));

        try (GatewayServer gateway = start("--sandboxes", file.toString(), "--k8s-proxy",
                "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE, "--pod-name-prefix", "box-")) {
            assertThat(gateway.podNames()).containsExactly(Map.entry("static1", "sandbox-static1"),
                    Map.entry("static2", "box-static2"));

            // Only box-static2 exists at the API server, so a 200 shows the prefix was used.
            HttpResponse<String> prefixed = TestHttp.get(http(gateway, "static2", "/p"), "X-Access-Token", "t2");
            HttpResponse<String> named = TestHttp.get(http(gateway, "static1", "/n"), "X-Access-Token", "t1");

            assertThat(prefixed.statusCode()).as(prefixed.body()).isEqualTo(200);
            assertThat(TestHttp.json(prefixed).path("path").asText()).isEqualTo("/p");
            assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
        }
    }

    @Test
    void anInvalidPodNameInTheFileFailsTheStart() throws Exception {
        Path file = sandboxesFile("bad-pod.json", """
                {"sandboxes":[{"id":"static1","host":"h","token":"t","podName":"Not_A_Pod"}]}
                """);

        assertThatThrownBy(() -> start("--sandboxes", file.toString(), "--k8s-proxy",
                "--kubeconfig", kubeconfig.toString()))
                .isInstanceOf(GatewayStartException.class)
                .hasMessage("cannot load sandboxes: " + file
                        + ": sandbox static1: pod name is not a valid Kubernetes name: Not_A_Pod");
    }

    @Test
    void anUnreadableKubeconfigFailsTheStartWithOneLine() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken-kubeconfig.yaml"), "clusters: [unclosed\n");
        Path file = sandboxesFile("any.json", """
                {"sandboxes":[{"id":"static1","host":"h","token":"t"}]}
                """);

        assertThatThrownBy(() -> start("--sandboxes", file.toString(), "--k8s-proxy",
                "--kubeconfig", broken.toString()))
                .isInstanceOf(GatewayStartException.class)
                .message().startsWith("cannot load Kubernetes credentials: kubeconfig " + broken)
                .doesNotContain("\n");
    }

    // --- mode 3: no --sandboxes, a kubeconfig ---------------------------------------------------------------

    @Test
    void podsAndAnnotationTokens_directToThePodIp() throws Exception {
        int before = apiServer.proxiedRequests().size();

        // The kubeconfig comes from the (injected) environment, as on a machine with KUBECONFIG exported.
        try (GatewayServer gateway = start(Map.of("KUBECONFIG", kubeconfig.toString()), noServiceAccount,
                "--namespace", NAMESPACE)) {
            assertThat(gateway.mode().kind()).isEqualTo(GatewayMode.Kind.KUBERNETES);
            assertThat(gateway.podsListed()).as("first pod list within the start-up wait").isTrue();

            HttpResponse<String> response = TestHttp.get(http(gateway, "k8s1", "/echo?x=2"),
                    "X-Access-Token", POD_TOKEN);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(TestHttp.json(response).path("query").asText()).isEqualTo("x=2");
            Upstream.Received received = backend.lastReceived();
            assertThat(received.header("X-Access-Token")).isNull();
            assertThat(apiServer.proxiedRequests()).as("direct mode never uses the pod proxy").hasSize(before);

            HttpResponse<String> wrong = TestHttp.get(http(gateway, "k8s1", "/echo"),
                    "X-Access-Token", "not-" + POD_TOKEN);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(TestHttp.json(wrong).path("code").asText()).isEqualTo("token_invalid");
            // No pod, no token to compare with: indistinguishable from a wrong token, so ids cannot be probed.
            HttpResponse<String> unknown = TestHttp.get(http(gateway, "nosuchpod", "/echo"),
                    "X-Access-Token", POD_TOKEN);
            assertThat(unknown.statusCode()).isEqualTo(401);

            assertThat(Banner.render(gateway)).contains(
                    "Mode: Kubernetes pods and annotation tokens, direct to pod IPs",
                    "from kubeconfig " + kubeconfig + " (KUBECONFIG)",
                    "Sandboxes: pods of namespace " + NAMESPACE + " matching app=liteboxd, named sandbox-{id}"
                            + " or labelled sandbox-id={id}",
                    "Tokens: pod annotation liteboxd.io/access-token",
                    "Pod list: loaded")
                    .doesNotContain(POD_TOKEN, GATEWAY_TOKEN);
        }
    }

    @Test
    void podsAndAnnotationTokens_throughTheApiServer() throws Exception {
        int before = apiServer.proxiedRequests().size();

        try (GatewayServer gateway = start(Map.of("DEV_USE_K8S_PROXY", "true"), noServiceAccount,
                "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE)) {
            assertThat(gateway.mode().kind()).isEqualTo(GatewayMode.Kind.KUBERNETES_VIA_API_SERVER);

            HttpResponse<String> response = TestHttp.get(http(gateway, "k8s1", "/echo?x=3"),
                    "X-Access-Token", POD_TOKEN);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(lastProxied(before + 1).target()).isEqualTo("/echo?x=3");
            assertThat(TestHttp.get(http(gateway, "k8s1", "/echo"), "X-Access-Token", "wrong").statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void podsAndAnnotationTokens_inCluster() throws Exception {
        // What the kubelet mounts into a pod, pointing at the stand-in.
        Path serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(serviceAccount.resolve("token"), GATEWAY_TOKEN);
        Files.writeString(serviceAccount.resolve("ca.crt"), pki.caPem());
        Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1",
                "KUBERNETES_SERVICE_PORT", Integer.toString(apiServer.uri().getPort()));

        try (GatewayServer gateway = start(env, serviceAccount, "--namespace", NAMESPACE)) {
            assertThat(gateway.mode().kind()).isEqualTo(GatewayMode.Kind.KUBERNETES);
            assertThat(gateway.mode().kubeconfig()).isInstanceOf(GatewayMode.InCluster.class);

            HttpResponse<String> response = TestHttp.get(http(gateway, "k8s1", "/echo"), "X-Access-Token", POD_TOKEN);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }

    @Test
    void stoppingTheGatewayStopsThePodInformer() throws Exception {
        Set<Thread> before = informerThreads();
        GatewayServer gateway = start("--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE);
        Set<Thread> ours = new HashSet<>(informerThreads());
        ours.removeAll(before);
        assertThat(ours).as("informer threads of this gateway").isNotEmpty();

        gateway.stop();

        assertAllEnd(ours);
    }

    @Test
    void aFailedStartStopsThePodInformerToo() throws Exception {
        Set<Thread> before = informerThreads();
        int listsBefore = apiServer.listCalls();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> args = List.of("--listen", "127.0.0.1:" + taken.getLocalPort(),
                    "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE);
            GatewayOptions options = ((GatewayArgs.Run) GatewayArgs.parse(args)).options();

            assertThatThrownBy(() -> GatewayServer.start(options, Map.of()))
                    .isInstanceOf(GatewayStartException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        // The informer did start (and list) before the listener failed, so there was something to stop.
        assertThat(apiServer.listCalls()).isGreaterThan(listsBefore);
        Set<Thread> ours = new HashSet<>(informerThreads());
        ours.removeAll(before);
        assertAllEnd(ours);
    }

    private static Set<Thread> informerThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("liteboxd-pod-informer-")) {
                threads.add(t);
            }
        }
        return threads;
    }

    private static void assertAllEnd(Set<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            assertThat(t.isAlive()).as(t.getName() + " still running " + WAIT + " after the stop").isFalse();
        }
    }

    // --- through the command-line entry point ---------------------------------------------------------------

    @Test
    void theEntryPointTakesTheKubeconfigFromTheEnvironmentItIsGiven() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<Thread> hooks = new CopyOnWriteArrayList<>();
        GatewayMain main = new GatewayMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), hooks::add,
                Map.of("KUBECONFIG", kubeconfig.toString(), "DEV_USE_K8S_PROXY", "false"));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = runner.submit(() -> main.run("--listen", "127.0.0.1:0", "--namespace", NAMESPACE));

            Matcher listening = await(out, Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)\\n"
                    + "Mode: Kubernetes pods and annotation tokens, direct to pod IPs\\n"));
            URI uri = URI.create(listening.group(1) + "/api/v1/sandbox/k8s1/port/" + backend.port() + "/echo");
            HttpResponse<String> response = TestHttp.get(uri, "X-Access-Token", POD_TOKEN);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("WebSocket relay: jetty-tunnel");

            assertThat(hooks).hasSize(1);
            hooks.get(0).start();
            hooks.get(0).join(WAIT.toMillis());
            assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(GatewayMain.EXIT_OK);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        } finally {
            // Stops a gateway a failed assertion left running; harmless when the hook already ran.
            hooks.forEach(Thread::run);
            runner.shutdownNow();
        }
    }

    private static Matcher await(ByteArrayOutputStream out, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(out.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no match for " + pattern + " within " + WAIT + " in:\n"
                + out.toString(StandardCharsets.UTF_8));
    }
}
