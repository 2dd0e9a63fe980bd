package io.liteboxd.proxy.kubernetes.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClient;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Upstream backend;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() throws Exception {
        pki = TestPki.create("standin-ca");
        apiServer = ApiServerStandin.start(pki, "liteboxd");
        apiServer.allowToken(TOKEN);
        backend = Upstream.start();
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
        JsonNode echo = JSON.readTree(r.body());
        assertThat(echo.path("body").asText()).isEqualTo("ping-body");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb");
        assertThat(echo.path("query").asText()).isEqualTo("q=1&r=%20");
        Upstream.Received seen = backend.lastReceived();
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
                new SandboxRoute("/api/v1/sandbox", "ws1", backend.port(), "/ws/subprotocol", "x=1"),
                Transport.WEBSOCKET);
        assertThat(target.uri().getScheme()).isEqualTo("wss");

        try (WsClient client = new WsClient(4, connector.sslContext().orElseThrow())) {
            WsClientSocket ws = connect(client, target, "v2.echo");
            assertThat(ws.subprotocol()).isEqualTo("v2.echo");
            assertThat(ws.nextText()).as("the subprotocol the backend accepted").isEqualTo("protocol=v2.echo");
            ws.send("hello");
            assertThat(ws.nextText()).isEqualTo("hello");
            ws.send("close 4001 bye");
            assertThat(ws.awaitClose(WAIT)).isEqualTo(new Upstream.CloseRecord(4001, "bye"));
        }
        Upstream.Received handshake = lastUpgrade(backend);
        assertThat(handshake.path()).isEqualTo("/ws/subprotocol");
        assertThat(handshake.query()).isEqualTo("x=1");
        assertThat(handshake.header("authorization")).isNull();
    }

    @Test
    void standinCanMimicTheRealApiServerDroppingTheQueryOnUpgrades() throws Exception {
        Sandbox sandbox = readyPod("ws2");
        ApiServerProxyConnector connector = new ApiServerProxyConnector(bearerAccess(), KubernetesSettings.defaults());
        UpstreamTarget target = connector.target(sandbox,
                new SandboxRoute("/api/v1/sandbox", "ws2", backend.port(), "/ws/subprotocol", "x=1"),
                Transport.WEBSOCKET);
        apiServer.dropQueryOnUpgrade(true);
        try (WsClient client = new WsClient(4, connector.sslContext().orElseThrow())) {
            WsClientSocket ws = connect(client, target, "v1");
            assertThat(ws.nextText()).isEqualTo("protocol=v1");
            Upstream.Received handshake = lastUpgrade(backend);
            assertThat(handshake.path()).isEqualTo("/ws/subprotocol");
            assertThat(handshake.query()).isNull();
            ws.close(1000, "done", WAIT);
        } finally {
            apiServer.dropQueryOnUpgrade(false);
        }
    }

    private static WsClientSocket connect(WsClient client, UpstreamTarget target, String subprotocol)
            throws Exception {
        return client.connect(target.uri(), target.headers(), subprotocol).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
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

    private static Upstream.Received lastUpgrade(Upstream b) {
        return b.received().stream().filter(Upstream.Received::webSocket).reduce((a, c) -> c).orElseThrow();
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

}
