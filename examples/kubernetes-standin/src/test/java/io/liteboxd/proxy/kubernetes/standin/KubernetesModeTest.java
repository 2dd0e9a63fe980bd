package io.liteboxd.proxy.kubernetes.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1Pod;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.kubernetes.ApiServerProxyConnector;
import io.liteboxd.proxy.kubernetes.KubernetesAccess;
import io.liteboxd.proxy.kubernetes.KubernetesSandboxResolver;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import io.liteboxd.proxy.kubernetes.PodAnnotationTokenAuthenticator;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes package against the API-server stand-in and a real backend, over real sockets: the connector's
 * URIs, credentials and TLS, the informer-backed resolver, and the pod-annotation authenticator.
 */
class KubernetesModeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "gateway-token";

    private static TestPki pki;
    private static ApiServerStandin apiServer;
    private static EchoBackend backend;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() throws Exception {
        pki = TestPki.create("standin-ca");
        apiServer = ApiServerStandin.start(pki, "liteboxd");
        apiServer.allowToken(TOKEN);
        backend = EchoBackend.start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (apiServer != null) {
            apiServer.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private KubernetesAccess bearerAccess() {
        return KubernetesAccess.fromKubeconfig(Kubeconfigs.bearerToken(dir, apiServer.uri(), pki.caPem(), TOKEN),
                Duration.ofMinutes(1));
    }

    private static Sandbox readyPod(String id) {
        apiServer.apply(Pods.ready(Pods.sandbox(id, "tok-" + id), "127.0.0.1"));
        return new Sandbox(id, "127.0.0.1", true, java.util.Set.of());
    }

    private static HttpResponse<String> send(SSLContext tls, UpstreamTarget target, String method, String body,
                                             Map<String, String> extraHeaders) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(target.uri()).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        extraHeaders.forEach(rb::header);
        target.headers().forEach(rb::setHeader);
        return client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bearerTokenOpensThePodProxyAndTheBackendNeverSeesIt() throws Exception {
        Sandbox sandbox = readyPod("bearer1");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults());
        UpstreamTarget target = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "bearer1", backend.port(), "/echo/a%2Fb", "q=1&r=%20"),
                Transport.HTTP);
        assertThat(target.headers()).containsEntry("Authorization", "Bearer " + TOKEN);

        HttpResponse<String> r = send(connector.sslContext().orElseThrow(), target, "POST", "ping-body",
                Map.of("X-Custom", "kept"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ping-body");
        assertThat(r.headers().firstValue("X-Echo-Path")).contains("/echo/a%2Fb");
        assertThat(r.headers().firstValue("X-Echo-Query")).contains("q=1&r=%20");
        EchoBackend.Received seen = last(backend);
        assertThat(seen.header("authorization")).isNull();
        assertThat(seen.header("x-custom")).isEqualTo("kept");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(apiServer.proxiedRequests().get(apiServer.proxiedRequests().size() - 1).authenticatedAs())
                .isEqualTo("bearer");
    }

    @Test
    void clientCertificateAloneOpensThePodProxy() throws Exception {
        Sandbox sandbox = readyPod("cert1");
        Path kubeconfig = Kubeconfigs.clientCertificate(dir, apiServer.uri(), pki.caPem(),
                pki.client("liteboxd-gateway"));
        ApiServerProxyConnector connector = new ApiServerProxyConnector(
                KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofMinutes(1)), KubernetesSettings.defaults());
        UpstreamTarget target = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "cert1", backend.port(), "/", null), Transport.HTTP);
        assertThat(target.headers()).doesNotContainKey("Authorization");

        HttpResponse<String> r = send(connector.sslContext().orElseThrow(), target, "GET", null, Map.of());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(apiServer.proxiedRequests().get(apiServer.proxiedRequests().size() - 1).authenticatedAs())
                .isEqualTo("x509:CN=liteboxd-gateway");
    }

    @Test
    void withoutCredentialsTheStandinAnswers401LikeTheRealApiServer() throws Exception {
        Sandbox sandbox = readyPod("anon1");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults());
        UpstreamTarget withToken = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "anon1", backend.port(), "/", null), Transport.HTTP);
        UpstreamTarget anonymous = new UpstreamTarget(withToken.uri());
        int before = backend.received().size();

        HttpResponse<String> r = send(pki.clientContext(), anonymous, "GET", null, Map.of());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"kind\":\"Status\"");
        assertThat(backend.received()).hasSize(before);
    }

    @Test
    void rotatedTokenFileIsUsedByTheNextTarget() throws Exception {
        Sandbox sandbox = readyPod("rotate1");
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "rotating-1");
        apiServer.allowToken("rotating-1");
        Path kubeconfig = Kubeconfigs.tokenFile(dir, apiServer.uri(), pki.caPem(), "token");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(
                KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofHours(1)), KubernetesSettings.defaults());
        SSLContext tls = connector.sslContext().orElseThrow();
        SandboxRoute route = new SandboxRoute("/api/v1/sandbox", "rotate1", backend.port(), "/", null);

        UpstreamTarget first = connector.target(sandbox, route, Transport.HTTP);
        assertThat(send(tls, first, "GET", null, Map.of()).statusCode()).isEqualTo(200);

        // Rotate as the kubelet does: new token accepted, old one revoked, file replaced atomically.
        apiServer.allowToken("rotating-2-longer");
        apiServer.revokeToken("rotating-1");
        Path next = dir.resolve("token.next");
        Files.writeString(next, "rotating-2-longer");
        Files.move(next, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(send(tls, first, "GET", null, Map.of()).statusCode()).as("old token revoked").isEqualTo(401);
        UpstreamTarget second = connector.target(sandbox, route, Transport.HTTP);
        assertThat(second.headers()).containsEntry("Authorization", "Bearer rotating-2-longer");
        assertThat(send(tls, second, "GET", null, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void sslContextTrustsExactlyTheKubeconfigCa() throws Exception {
        TestPki stranger = TestPki.create("some-other-ca");
        KubernetesAccess wrongCa = KubernetesAccess.fromKubeconfig(
                Kubeconfigs.bearerToken(dir, apiServer.uri(), stranger.caPem(), TOKEN), Duration.ofMinutes(1));
        SSLContext wrong = new ApiServerProxyConnector(wrongCa, KubernetesSettings.defaults()).sslContext().orElseThrow();
        assertThatThrownBy(() -> handshake(wrong)).isInstanceOf(SSLHandshakeException.class);

        SSLContext right = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults()).sslContext().orElseThrow();
        handshake(right);

        KubernetesAccess insecure = KubernetesAccess.fromKubeconfig(
                Kubeconfigs.insecure(dir, apiServer.uri(), TOKEN), Duration.ofMinutes(1));
        handshake(new ApiServerProxyConnector(insecure, KubernetesSettings.defaults()).sslContext().orElseThrow());
    }

    private static void handshake(SSLContext tls) throws Exception {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", apiServer.uri().getPort())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            // What an HTTPS client does: check the certificate against the host name too.
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
        }
    }

    @Test
    void webSocketThroughThePodProxyKeepsSubprotocolMessagesAndCloseCode() throws Exception {
        Sandbox sandbox = readyPod("ws1");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults());
        UpstreamTarget target = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "ws1", backend.port(), "/socket", "x=1"), Transport.WEBSOCKET);
        assertThat(target.uri().getScheme()).isEqualTo("wss");

        Recorder rec = new Recorder();
        WebSocket ws = connect(connector.sslContext().orElseThrow(), target, rec, "v2.echo");
        assertThat(ws.getSubprotocol()).isEqualTo("v2.echo");
        ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(rec.next()).isEqualTo("hello");
        ws.sendText("handshake", true).get(10, TimeUnit.SECONDS);
        assertThat(rec.next()).isEqualTo("path=/socket query=x=1 protocol=v2.echo");
        ws.sendText("close:4001:bye", true).get(10, TimeUnit.SECONDS);
        assertThat(rec.next()).isEqualTo("closed 4001 bye");
        EchoBackend.Received handshake = backend.received().stream().filter(EchoBackend.Received::webSocket)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(handshake.header("authorization")).isNull();
    }

    @Test
    void standinCanMimicTheRealApiServerDroppingTheQueryOnUpgrades() throws Exception {
        Sandbox sandbox = readyPod("ws2");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults());
        UpstreamTarget target = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "ws2", backend.port(), "/socket", "x=1"), Transport.WEBSOCKET);
        apiServer.dropQueryOnUpgrade(true);
        try {
            Recorder rec = new Recorder();
            WebSocket ws = connect(connector.sslContext().orElseThrow(), target, rec, "v1");
            ws.sendText("handshake", true).get(10, TimeUnit.SECONDS);
            assertThat(rec.next()).isEqualTo("path=/socket query=null protocol=v1");
            ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
        } finally {
            apiServer.dropQueryOnUpgrade(false);
        }
    }

    private static WebSocket connect(SSLContext tls, UpstreamTarget target, Recorder rec, String subprotocol)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .subprotocols(subprotocol);
        target.headers().forEach(b::header);
        return b.buildAsync(target.uri(), rec).get(15, TimeUnit.SECONDS);
    }

    @Test
    void informerFollowsAPodThroughItsLifeWithoutRestart() throws Exception {
        KubernetesSettings settings = KubernetesSettings.defaults();
        try (KubernetesSandboxResolver resolver = KubernetesSandboxResolver.start(bearerAccess(), settings)) {
            assertThat(resolver.awaitSynced(WAIT)).isTrue();
            PodAnnotationTokenAuthenticator auth = new PodAnnotationTokenAuthenticator(resolver);
            assertThat(resolver.resolve("life1")).isEmpty();
            assertThat(auth.authenticate("life1", "tok-life1")).isFalse();

            V1Pod pod = Pods.sandbox("life1", "tok-life1");
            apiServer.apply(pod);
            await(() -> resolver.resolve("life1").isPresent());
            assertThat(resolver.resolve("life1").orElseThrow().ready()).isFalse();
            assertThat(auth.authenticate("life1", "tok-life1")).isTrue();
            assertThat(auth.authenticate("life1", "tok-life2")).isFalse();

            apiServer.apply(Pods.ready(pod, "10.20.30.40"));
            await(() -> resolver.resolve("life1").map(Sandbox::ready).orElse(false));
            assertThat(resolver.resolve("life1")).contains(
                    new Sandbox("life1", "10.20.30.40", true, java.util.Set.of()));

            apiServer.delete("sandbox-life1");
            await(() -> resolver.resolve("life1").isEmpty());
            assertThat(auth.authenticate("life1", "tok-life1")).isFalse();
        }
    }

    @Test
    void findsPodsByLabelAndIgnoresPodsOutsideTheSelector() throws Exception {
        V1Pod byLabel = Pods.ready(Pods.sandbox("lbl1", "t"), "10.0.0.7");
        byLabel.getMetadata().name("worker-7f9c");
        apiServer.apply(byLabel);
        V1Pod foreign = Pods.ready(Pods.sandbox("foreign1", "t"), "10.0.0.8");
        foreign.getMetadata().getLabels().put("app", "something-else");
        apiServer.apply(foreign);
        try (KubernetesSandboxResolver resolver =
                     KubernetesSandboxResolver.start(bearerAccess(), KubernetesSettings.defaults())) {
            assertThat(resolver.awaitSynced(WAIT)).isTrue();
            assertThat(resolver.podName("lbl1")).contains("worker-7f9c");
            // The API-server connector on the informer asks for the pod the label found, not sandbox-{id}.
            UpstreamTarget target = new ApiServerProxyConnector(bearerAccess(), "liteboxd", resolver::podName)
                    .target(resolver.resolve("lbl1").orElseThrow(),
                            new SandboxRoute("/api/v1/sandbox", "lbl1", 8080, "/", null), Transport.HTTP);
            assertThat(target.uri().getRawPath()).isEqualTo("/api/v1/namespaces/liteboxd/pods/worker-7f9c:8080/proxy/");
            assertThat(resolver.resolve("foreign1")).isEmpty();
        } finally {
            apiServer.delete("worker-7f9c");
            apiServer.delete("sandbox-foreign1");
        }
    }

    @Test
    void coldStartAnswers503NotNotFoundUntilTheFirstListSucceeds() throws Exception {
        apiServer.listUnavailable(true);
        int listsBefore = apiServer.listCalls();
        try (KubernetesSandboxResolver resolver =
                     KubernetesSandboxResolver.start(bearerAccess(), KubernetesSettings.defaults())) {
            try {
                await(() -> apiServer.listCalls() > listsBefore);
                assertThatThrownBy(() -> resolver.resolve("anything"))
                        .isInstanceOfSatisfying(ProxyException.class, e -> {
                            assertThat(e.status()).isEqualTo(503);
                            assertThat(e.error()).isEqualTo(ProxyError.UNAVAILABLE);
                        });
                assertThatThrownBy(() -> new PodAnnotationTokenAuthenticator(resolver).authenticate("anything", "t"))
                        .isInstanceOf(ProxyException.class);
            } finally {
                apiServer.listUnavailable(false);
            }
            assertThat(resolver.awaitSynced(WAIT)).isTrue();
            assertThat(resolver.resolve("anything")).isEmpty();
        }
    }

    @Test
    void watchThatEndsIsResumedAndLaterEventsStillArrive() throws Exception {
        try (KubernetesSandboxResolver resolver =
                     KubernetesSandboxResolver.start(bearerAccess(), KubernetesSettings.defaults())) {
            assertThat(resolver.awaitSynced(WAIT)).isTrue();
            await(() -> apiServer.openWatches() > 0);
            apiServer.endWatches();
            apiServer.apply(Pods.ready(Pods.sandbox("rewatch1", "t"), "10.0.0.9"));
            await(() -> resolver.resolve("rewatch1").map(Sandbox::ready).orElse(false));
            apiServer.delete("sandbox-rewatch1");
            await(() -> resolver.resolve("rewatch1").isEmpty());
        }
    }

    @Test
    void closingTheResolverClosesItsConnectionsToTheApiServer() throws Exception {
        Set<Integer> before = apiServer.openConnections();
        Set<Integer> resolvers = new HashSet<>();
        try (KubernetesSandboxResolver resolver =
                     KubernetesSandboxResolver.start(bearerAccess(), KubernetesSettings.defaults())) {
            assertThat(resolver.awaitSynced(WAIT)).isTrue();
            await(() -> apiServer.openWatches() > 0);
            resolvers.addAll(apiServer.openConnections());
            resolvers.removeAll(before);
            assertThat(resolvers).as("the list's and the watch's connections").isNotEmpty();
        }
        await(() -> apiServer.openConnections().stream().noneMatch(resolvers::contains));
    }

    private static EchoBackend.Received last(EchoBackend b) {
        return b.received().get(b.received().size() - 1);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** Collects text messages and the close as strings, in order. */
    static final class Recorder implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                events.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            events.add("closed " + code + " " + reason);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add("error " + error);
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no WebSocket event within 10 s");
            }
            return e;
        }
    }

}
