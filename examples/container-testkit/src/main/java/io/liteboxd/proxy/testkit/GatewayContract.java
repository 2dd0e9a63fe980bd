package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * What the gateway contract suites share, on real sockets end to end:
 * test client -> container running {@code ProxyServlet} -> real {@link Upstream} on Jetty core.
 *
 * <p>The suites ({@link HttpContract}, {@link WebSocketContract}, {@link FilterInFrontContract}) are parameterized by
 * a {@link GatewayVariant}: a container module runs each suite with one {@code @ParameterizedClass} over its
 * variants (see {@link GatewayVariant}). One gateway and one upstream serve each variant's run of a suite; tests that
 * must prove the upstream was never dialled start their own throw-away upstream ("sentinel") and count its accepted
 * connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class GatewayContract {

    protected static final String PREFIX = ProxyConfig.DEFAULT_ROUTE_PREFIX;
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** Ready, every port open. */
    protected static final String SANDBOX = "sb1";
    protected static final String TOKEN = "tok-sb1-secret";
    /** Exists but not ready. */
    protected static final String NOT_READY = "sbnotready";
    protected static final String NOT_READY_TOKEN = "tok-notready";
    /** Ready, only the main upstream's port is open. */
    protected static final String PORTS = "sbports";
    protected static final String PORTS_TOKEN = "tok-ports";
    /** Ready; the main upstream's port gets the whole path (keep-prefix) and the client's Host. */
    protected static final String KEEP = "sbkeep";
    protected static final String KEEP_TOKEN = "tok-keep";
    /** Ready, served over TLS ({@code https://localhost}) by the main upstream's TLS port. */
    protected static final String TLS = "sbtls";
    protected static final String TLS_TOKEN = "tok-tls";
    /** Has a valid token but the resolver does not know it (deleted sandbox, stale token store). */
    protected static final String GHOST = "sbghost";
    protected static final String GHOST_TOKEN = "tok-ghost";

    protected static final int MiB = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    protected Upstream upstream;
    protected URI gateway;
    protected HttpClient http;
    protected WebSocketClient wsClient;
    protected final List<Session> openSessions = new CopyOnWriteArrayList<>();
    /** For scripted upstreams and other work a test must not wait on unbounded. */
    protected ExecutorService bounded;
    /** The variant this run of the suite is held to. */
    @Parameter
    protected GatewayVariant variant;
    private GatewayVariant.Running running;

    /** The gateway this run of the suite started. */
    protected GatewayVariant.Running running() {
        return running;
    }

    @BeforeParameterizedClassInvocation(injectArguments = false)
    final void startEverything() throws Exception {
        bounded = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "contract-bounded");
            t.setDaemon(true);
            return t;
        });
        upstream = Upstream.startWithTls();
        List<StaticSandboxes.Entry> known = List.of(
                new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN),
                new StaticSandboxes.Entry(new Sandbox(NOT_READY, "127.0.0.1", false, Set.of()),
                        NOT_READY_TOKEN),
                new StaticSandboxes.Entry(new Sandbox(PORTS, "127.0.0.1", true,
                        Set.of(upstream.port())), PORTS_TOKEN),
                new StaticSandboxes.Entry(Sandbox.ready(KEEP, "127.0.0.1")
                        .withForwarding(Set.of(upstream.port()), Set.of(upstream.port())), KEEP_TOKEN),
                new StaticSandboxes.Entry(Sandbox.ready(TLS, "localhost"), TLS_TOKEN));
        StaticSandboxes resolvable = new StaticSandboxes(known);
        List<StaticSandboxes.Entry> withGhost = new ArrayList<>(known);
        withGhost.add(new StaticSandboxes.Entry(Sandbox.ready(GHOST, "127.0.0.1"), GHOST_TOKEN));
        TokenAuthenticator authenticator = new StaticSandboxes(withGhost).authenticator();

        ProxyConfig config = ProxyConfig.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        running = variant.start(new GatewaySetup(config, authenticator, resolvable.resolver(), new TlsForOneSandbox()));
        gateway = running.uri();
        assertThat(gateway.getRawPath()).as("gateway base URI must have no path").isIn(null, "", "/");

        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(WAIT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();

        QueuedThreadPool clientThreads = new QueuedThreadPool(32, 2);
        clientThreads.setName("test-ws-client");
        org.eclipse.jetty.client.HttpClient jettyHttp =
                new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP(1));
        jettyHttp.setExecutor(clientThreads);
        wsClient = new WebSocketClient(jettyHttp);
        wsClient.setConnectTimeout(WAIT.toMillis());
        wsClient.setIdleTimeout(Duration.ofSeconds(30));
        wsClient.setMaxTextMessageSize(32L * MiB);
        wsClient.setMaxBinaryMessageSize(32L * MiB);
        wsClient.start();
    }

    @AfterEach
    final void closeSessions() {
        for (Session s : openSessions) {
            if (s.isOpen()) {
                s.close(1000, "test done", Callback.NOOP);
            }
        }
        openSessions.clear();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    final void stopEverything() throws Exception {
        try {
            if (wsClient != null) {
                wsClient.stop();
            }
        } finally {
            try {
                if (running != null) {
                    running.close();
                }
            } finally {
                if (upstream != null) {
                    upstream.close();
                }
                if (bounded != null) {
                    bounded.shutdownNow();
                }
            }
        }
    }

    /** The connector of the contract: direct to each sandbox's host, over TLS for {@link #TLS}. */
    private static final class TlsForOneSandbox implements io.liteboxd.proxy.connect.UpstreamConnector {
        private final DirectPodConnector direct = new DirectPodConnector();
        private final javax.net.ssl.SSLContext tls = TestTls.clientContext();

        @Override
        public io.liteboxd.proxy.connect.UpstreamTarget target(Sandbox sandbox, io.liteboxd.proxy.route.SandboxRoute route,
                                                             io.liteboxd.proxy.connect.Transport transport) {
            io.liteboxd.proxy.connect.UpstreamTarget plain = direct.target(sandbox, route, transport);
            if (!TLS.equals(sandbox.id())) {
                return plain;
            }
            String scheme = transport == io.liteboxd.proxy.connect.Transport.WEBSOCKET ? "wss" : "https";
            return new io.liteboxd.proxy.connect.UpstreamTarget(
                    URI.create(scheme + plain.uri().toString().substring(plain.uri().getScheme().length())));
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLContext> sslContext() {
            return java.util.Optional.of(tls);
        }
    }

    protected static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the gateway closed before its request head ended");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    protected static int contentLength(String head) {
        return head.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers for the suites
    // ---------------------------------------------------------------------------------------------------------

    /** {@code /api/v1/sandbox/{id}/port/{port}{pathAndQuery}}. */
    protected static String route(String sandboxId, int port, String pathAndQuery) {
        return PREFIX + "/" + sandboxId + "/port/" + port + pathAndQuery;
    }

    /** A request through the gateway to the main upstream of {@link #SANDBOX}, with its token. */
    protected HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(gateway + route(SANDBOX, upstream.port(), pathAndQuery)))
                .timeout(Duration.ofSeconds(30))
                .header("X-Access-Token", TOKEN);
    }

    protected HttpResponse<byte[]> send(HttpRequest.Builder builder) throws Exception {
        // The future covers the whole body, unlike HttpRequest.timeout which stops at the response head.
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                .get(45, TimeUnit.SECONDS);
    }

    /** A raw-socket request through the gateway to the main upstream of {@link #SANDBOX}. */
    protected RawHttp.RawResponse raw(String method, String pathAndQuery, List<String> headerLines) throws IOException {
        return RawHttp.exchange(gateway, method, route(SANDBOX, upstream.port(), pathAndQuery), headerLines, null);
    }

    protected JsonNode rawEcho(String pathAndQuery) throws IOException {
        RawHttp.RawResponse r = raw("GET", pathAndQuery, List.of("X-Access-Token: " + TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header(Upstream.MARKER_HEADER)).as("answered by the upstream").isEqualTo(Upstream.MARKER_VALUE);
        return json(r.body());
    }

    protected WsClientSocket connectWs(String pathAndQuery) throws Exception {
        return connectWs(pathAndQuery, rq -> { });
    }

    /** Opens a WebSocket through the gateway to the main upstream of {@link #SANDBOX}, with its token. */
    protected WsClientSocket connectWs(String pathAndQuery, Consumer<ClientUpgradeRequest> customize) throws Exception {
        URI uri = URI.create("ws://" + gateway.getHost() + ":" + gateway.getPort()
                + route(SANDBOX, upstream.port(), pathAndQuery));
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("X-Access-Token", TOKEN);
        customize.accept(request);
        WsClientSocket socket = new WsClientSocket();
        Session session = wsClient.connect(socket, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        openSessions.add(session);
        return socket;
    }

    /** Runs one send and waits (bounded) until Jetty reports it written, so fragments go out in order. */
    protected static void await(Consumer<Callback> send) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        send.accept(Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    protected <T> T bounded(Callable<T> task) throws Exception {
        Future<T> f = bounded.submit(task);
        try {
            return f.get(45, TimeUnit.SECONDS);
        } finally {
            f.cancel(true);
        }
    }

    /** A port on 127.0.0.1 that nothing listens on: connecting is refused at once. */
    protected static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    protected static String probe() {
        return UUID.randomUUID().toString();
    }

    protected static JsonNode json(byte[] body) throws IOException {
        return JSON.readTree(body);
    }

    protected static List<String> header(JsonNode echo, String lowerCaseName) {
        List<String> values = new ArrayList<>();
        echo.path("headers").path(lowerCaseName).forEach(v -> values.add(v.asText()));
        return values;
    }

    protected static List<String> headerNames(JsonNode echo) {
        List<String> names = new ArrayList<>();
        echo.path("headers").fieldNames().forEachRemaining(names::add);
        return names;
    }

    protected static Map<String, List<String>> headersOf(JsonNode echo) {
        Map<String, List<String>> map = new java.util.LinkedHashMap<>();
        for (String name : headerNames(echo)) {
            map.put(name, header(echo, name));
        }
        return map;
    }

    /** X-Forwarded-* as the upstream of {@link #SANDBOX} on the main upstream port must see them. */
    protected void assertForwardedHeaders(Map<String, List<String>> upstreamSaw) {
        assertThat(upstreamSaw.get("x-forwarded-for")).as("X-Forwarded-For").isNotNull()
                .anySatisfy(v -> assertThat(v).contains("127.0.0.1"));
        assertThat(upstreamSaw.get("x-forwarded-proto")).as("X-Forwarded-Proto").containsExactly("http");
        assertThat(upstreamSaw.get("x-forwarded-host")).as("X-Forwarded-Host")
                .containsExactly(gateway.getHost() + ":" + gateway.getPort());
        assertThat(upstreamSaw.get("x-forwarded-prefix")).as("X-Forwarded-Prefix")
                .containsExactly(route(SANDBOX, upstream.port(), ""));
    }

    /** A gateway refusal: the status, never 101, and the JSON error body with matching code and status. */
    protected static void assertGatewayError(RawHttp.RawResponse r, int status, String code) throws IOException {
        assertThat(r.status()).as(r.toString()).isNotEqualTo(101).isEqualTo(status);
        assertThat(r.header("content-type")).as(r.toString()).startsWith("application/json");
        assertThat(r.header(Upstream.MARKER_HEADER)).as("must be the gateway's answer, not the upstream's").isNull();
        JsonNode body = json(r.body());
        assertThat(body.path("code").asText()).as(r.toString()).isEqualTo(code);
        assertThat(body.path("status").isInt()).as(r.toString()).isTrue();
        assertThat(body.path("status").asInt()).as(r.toString()).isEqualTo(status);
        assertThat(body.path("error").asText()).as(r.toString()).isNotBlank();
    }
}
