package io.liteboxd.proxy.kubernetes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.models.V1Pod;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.kubernetes.ApiServerProxyConnector;
import io.liteboxd.proxy.kubernetes.KubernetesAccess;
import io.liteboxd.proxy.kubernetes.KubernetesSandboxResolver;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import io.liteboxd.proxy.kubernetes.Sha256TokenAuthenticator;
import io.liteboxd.proxy.kubernetes.standin.ApiServerStandin;
import io.liteboxd.proxy.kubernetes.standin.Kubeconfigs;
import io.liteboxd.proxy.kubernetes.standin.Pods;
import io.liteboxd.proxy.kubernetes.standin.TestPki;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsClient;
import io.liteboxd.proxy.testkit.WsClientSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end in API-server proxy mode: client -> gateway (embedded Jetty 12, {@link ProxyServlet}) -> API-server
 * stand-in (TLS, bearer token from a kubeconfig) -> backend, with the informer-backed resolver and pod-annotation
 * tokens. Proves the bytes arrive and the credentials do not.
 */
class KubernetesGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String GATEWAY_TOKEN = "gateway-sa-token";
    private static final String CLIENT_AUTHORIZATION = "Bearer client-own-credential";

    private static TestPki pki;
    private static ApiServerStandin apiServer;
    private static Upstream backend;
    private static KubernetesSandboxResolver resolver;
    private static Server annotationGateway;
    private static Server digestGateway;
    private static URI annotationBase;
    private static URI digestBase;
    private static WsClient wsClient;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create("e2e-ca");
        apiServer = ApiServerStandin.start(pki, "liteboxd-sandbox");
        apiServer.allowToken(GATEWAY_TOKEN);
        backend = Upstream.start();
        wsClient = new WsClient(8);
        apiServer.apply(Pods.ready(Pods.sandbox("e2e1", "pod-token-e2e1"), "127.0.0.1"));

        Path dir = Files.createTempDirectory("k8s-it");
        KubernetesSettings settings = KubernetesSettings.builder().namespace("liteboxd-sandbox")
                .useApiServerProxy(true).build();
        Path kubeconfig = Kubeconfigs.bearerToken(dir, apiServer.uri(), pki.caPem(), GATEWAY_TOKEN);
        KubernetesAccess access = KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofMinutes(1));
        resolver = KubernetesSandboxResolver.start(access, settings);
        assertThat(resolver.awaitSynced(WAIT)).isTrue();
        ApiServerProxyConnector connector = new ApiServerProxyConnector(access, settings.namespace(),
                resolver::podName);

        // As a web.xml would configure it: the servlet finds the kubernetes SpiProvider and builds every SPI itself.
        annotationGateway = gateway(new ProxyServlet(), Map.of("kubernetes", "true", "k8sProxy", "true",
                "kubeconfig", kubeconfig.toString(), "namespace", "liteboxd-sandbox"));
        annotationBase = URI.create("http://127.0.0.1:" + port(annotationGateway));
        // Its own informer: the first answers are 503 until it has listed the pods.
        await(() -> status(annotationBase, sandboxPath("e2e1", "/"), "pod-token-e2e1") == 200);
        // Tokens that do not depend on the pod: shows 404 for a deleted sandbox, as a token database would.
        String shared = Sha256TokenAuthenticator.sha256Hex("shared-token");
        digestGateway = gateway(new ProxyServlet(ProxyConfig.defaults(),
                new Sha256TokenAuthenticator(id -> Optional.of(shared)), resolver, connector), Map.of());
        digestBase = URI.create("http://127.0.0.1:" + port(digestGateway));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {
                annotationGateway == null ? null : annotationGateway::stop,
                digestGateway == null ? null : digestGateway::stop,
                wsClient, resolver, apiServer, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Server gateway(ProxyServlet servlet, Map<String, String> initParams) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(60, 4);
        threads.setName("gateway");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.DEFAULT.with("liteboxd-gateway",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> ProxyRegistration.register(servletContext, servlet)
                        .setInitParameters(initParams));
        server.setHandler(context);
        server.start();
        return server;
    }

    private static int port(Server s) {
        return ((ServerConnector) s.getConnectors()[0]).getLocalPort();
    }

    private static String sandboxPath(String id, String rest) {
        return "/api/v1/sandbox/" + id + "/port/" + backend.port() + rest;
    }

    private static HttpResponse<String> get(URI base, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("X-Access-Token", token);
        }
        return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpPassesThroughTheApiServerAndNoCredentialReachesTheBackend() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(annotationBase.resolve(sandboxPath("e2e1", "/echo/a%2Fb?x=1&y=%20")))
                .timeout(Duration.ofSeconds(10))
                .header("X-Access-Token", "pod-token-e2e1")
                .header("Authorization", CLIENT_AUTHORIZATION)
                .header("X-Custom", "kept")
                .header("Impersonate-User", "system:admin")
                .header("Impersonate-Group", "system:masters")
                .header("X-Remote-User", "system:admin")
                .POST(HttpRequest.BodyPublishers.ofString("hello through the API server"))
                .build();

        HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode echo = new ObjectMapper().readTree(r.body());
        assertThat(echo.path("body").asText()).isEqualTo("hello through the API server");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb");
        assertThat(echo.path("query").asText()).isEqualTo("x=1&y=%20");
        Upstream.Received seen = backend.lastReceived();
        assertThat(seen.headers()).doesNotContainKeys("x-access-token", "authorization");
        assertThat(seen.header("x-custom")).isEqualTo("kept");
        ApiServerStandin.ProxiedRequest viaApi = lastProxied();
        // The stand-in accepts only the gateway's kubeconfig token, so this also proves the client's was replaced.
        assertThat(viaApi.authenticatedAs()).isEqualTo("bearer");
        assertThat(viaApi.headers()).doesNotContainKeys("x-access-token", "authorization", "impersonate-user",
                "impersonate-group", "x-remote-user");
    }

    @Test
    void refusalsHappenAtTheGatewayBeforeTheApiServer() throws Exception {
        int proxiedBefore = apiServer.proxiedRequests().size();
        assertThat(get(annotationBase, sandboxPath("e2e1", "/"), "wrong-token").statusCode()).isEqualTo(401);
        assertThat(get(annotationBase, sandboxPath("e2e1", "/"), null).statusCode()).isEqualTo(401);
        assertThat(get(annotationBase, sandboxPath("nosuch", "/"), "pod-token-e2e1").statusCode()).isEqualTo(401);
        assertThat(get(digestBase, sandboxPath("nosuch", "/"), "shared-token").statusCode()).isEqualTo(404);
        assertThat(apiServer.proxiedRequests()).hasSize(proxiedBefore);
    }

    @Test
    void podEventsChangeTheAnswerWithoutRestart() throws Exception {
        V1Pod pod = Pods.sandbox("life2", "pod-token-life2");
        String path = sandboxPath("life2", "/");
        assertThat(get(digestBase, path, "shared-token").statusCode()).isEqualTo(404);

        apiServer.apply(pod);
        await(() -> status(digestBase, path, "shared-token") == 503);
        assertThat(get(annotationBase, path, "pod-token-life2").statusCode()).isEqualTo(503);

        apiServer.apply(Pods.ready(pod, "127.0.0.1"));
        await(() -> status(digestBase, path, "shared-token") == 200);
        assertThat(get(annotationBase, path, "pod-token-life2").statusCode()).isEqualTo(200);

        apiServer.delete("sandbox-life2");
        await(() -> status(digestBase, path, "shared-token") == 404);
        // Each gateway has its own informer: the delete reaches the second one on its own schedule, and for a moment
        // its authenticator may still know the pod while its connector no longer finds it (404).
        await(() -> status(annotationBase, path, "pod-token-life2") == 401);
        assertThat(get(annotationBase, path, "pod-token-life2").statusCode()).isEqualTo(401);
    }

    @Test
    void webSocketEchoSubprotocolAndServerCloseCodeThroughTheApiServer() throws Exception {
        WsClientSocket ws = connect(sandboxPath("e2e1", "/ws/subprotocol?x=1"), "v2.echo", "v1.echo");

        assertThat(ws.subprotocol()).isEqualTo("v2.echo");
        assertThat(ws.nextText()).as("the subprotocol the backend accepted").isEqualTo("protocol=v2.echo");
        ws.send("hello");
        assertThat(ws.nextText()).isEqualTo("hello");
        ws.send("close 4001 bye");
        assertThat(ws.awaitClose(WAIT)).isEqualTo(new Upstream.CloseRecord(4001, "bye"));

        Upstream.Received handshake = backend.received().stream().filter(Upstream.Received::webSocket)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(handshake.path()).isEqualTo("/ws/subprotocol");
        assertThat(handshake.query()).isEqualTo("x=1");
        assertThat(handshake.headers()).doesNotContainKeys("x-access-token", "authorization");
        assertThat(lastProxied().authenticatedAs()).isEqualTo("bearer");
    }

    @Test
    void clientCloseCodeReachesTheBackendAndComesBack() throws Exception {
        WsClientSocket ws = connect(sandboxPath("e2e1", "/ws/echo"));
        ws.send("ping");
        assertThat(ws.nextText()).isEqualTo("ping");
        // The backend's Jetty answers a close with the same code, which travels back through both hops.
        assertThat(ws.close(4002, "client leaves", WAIT)).isEqualTo(new Upstream.CloseRecord(4002, "client leaves"));
    }

    @Test
    void webSocketWithAWrongTokenIsNotUpgraded() throws Exception {
        URI ws = URI.create("ws://127.0.0.1:" + annotationBase.getPort() + sandboxPath("e2e1", "/ws/echo"));
        assertThat(wsClient.connect(ws, "wrong")).failsWithin(WAIT).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(UpgradeException.class,
                        e -> assertThat(e.getResponseStatusCode()).isEqualTo(401));
    }

    private static WsClientSocket connect(String path, String... subprotocols) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + annotationBase.getPort() + path);
        return wsClient.connect(uri, Map.of("X-Access-Token", "pod-token-e2e1", "Authorization", CLIENT_AUTHORIZATION),
                subprotocols).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ApiServerStandin.ProxiedRequest lastProxied() {
        List<ApiServerStandin.ProxiedRequest> all = apiServer.proxiedRequests();
        return all.get(all.size() - 1);
    }

    private static int status(URI base, String path, String token) {
        try {
            return get(base, path, token).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(50);
        }
    }
}
