package io.liteboxd.proxy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ApiServerProxyConnectorTest {

    private static final String ROOT = "/api/v1/namespaces/liteboxd/pods/sandbox-abc:8080/proxy/";
    private static final Sandbox SANDBOX = new Sandbox("abc", "10.1.2.3", true, Set.of());

    @TempDir
    Path dir;

    private KubernetesAccess access;
    private ApiServerProxyConnector connector;

    @BeforeEach
    void setUp() throws Exception {
        Path kubeconfig = KubeconfigFiles.write(dir, "https://apiserver.example:6443", "    token: t0k3n\n");
        access = KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofMinutes(1));
        connector = new ApiServerProxyConnector(access, KubernetesSettings.defaults());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HTTP      | /              |         | https://apiserver.example:6443" + ROOT,
            "HTTP      | /index.html    | a=1&b=2 | https://apiserver.example:6443" + ROOT + "index.html?a=1&b=2",
            "WEBSOCKET | /ws            | x=%2F   | wss://apiserver.example:6443" + ROOT + "ws?x=%2F",
            "HTTP      | /a%2Fb/c%20d   |         | https://apiserver.example:6443" + ROOT + "a%2Fb/c%20d",
            "HTTP      | /a/../b        |         | https://apiserver.example:6443" + ROOT + "a/../b",
    })
    void buildsThePodProxyUriKeepingRawPathAndQuery(Transport transport, String path, String query, String expected) {
        UpstreamTarget t = connector.target(SANDBOX, new SandboxRoute("/api/v1/sandbox", "abc", 8080, path, query),
                transport);
        assertThat(t.uri().toString()).isEqualTo(expected);
        assertThat(t.headers()).containsEntry("Authorization", "Bearer t0k3n");
    }

    @Test
    void keepsTheServersPathPrefixAndUsesThePodNameNotTheHost() throws Exception {
        Path kubeconfig = KubeconfigFiles.write(dir, "https://rancher.example/k8s/clusters/c-1/",
                "    token: t\n");
        ApiServerProxyConnector c = new ApiServerProxyConnector(
                KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofMinutes(1)), "liteboxd-sandbox",
                id -> id.equals("abc") ? Optional.of("worker-7f9c") : Optional.empty());
        Sandbox byLabel = new Sandbox("abc", null, true, Set.of());
        UpstreamTarget t = c.target(byLabel, new SandboxRoute("/p", "abc", 3000, "/x", null), Transport.HTTP);
        assertThat(t.uri()).isEqualTo(URI.create(
                "https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/liteboxd-sandbox/pods/worker-7f9c:3000/proxy/x"));
    }

    @Test
    void namesPodsByThePrefixOfTheSettings() {
        ApiServerProxyConnector c = new ApiServerProxyConnector(access(),
                KubernetesSettings.builder().namespace("ns").podNamePrefix("box-").build());
        UpstreamTarget t = c.target(SANDBOX, new SandboxRoute("/p", "abc", 80, "/", null), Transport.HTTP);
        assertThat(t.uri().getRawPath()).isEqualTo("/api/v1/namespaces/ns/pods/box-abc:80/proxy/");
    }

    @Test
    void aSandboxWhosePodIsGoneIsNotFound() {
        ApiServerProxyConnector c = new ApiServerProxyConnector(access(), "liteboxd", id -> Optional.empty());
        assertThatThrownBy(() -> c.target(SANDBOX, new SandboxRoute("/p", "abc", 80, "/", null), Transport.HTTP))
                .isInstanceOfSatisfying(ProxyException.class,
                        e -> assertThat(e.error()).isEqualTo(ProxyError.SANDBOX_NOT_FOUND));
    }

    @Test
    void refusesPodNamesThatAreNotKubernetesNames() {
        SandboxRoute route = new SandboxRoute("/p", "abc", 80, "/", null);
        for (String bad : new String[] {"../secrets", "a/b", "Sandbox", "a:1", "a%2f", "", "a?b"}) {
            ApiServerProxyConnector c = new ApiServerProxyConnector(access(), "liteboxd", id -> Optional.of(bad));
            assertThatThrownBy(() -> c.target(SANDBOX, route, Transport.HTTP))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private KubernetesAccess access() {
        return access;
    }

    static Stream<String> traversalCorpus() {
        return Stream.of(
                "/..", "/../", "/../x", "/a/../../x", "/a/b/../../../x", "/./../x", "//../x", "/a//../../x",
                "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/%2e%2e%2fx", "/..%2fx", "/..%2Fsecrets",
                "/a%2f..%2f..%2fx", "/%252e%252e/x", "/%25252e%25252e/x", "/%2525252e%2525252e/x",
                "/..%5cx", "/..%5Cx", "/a%5c..%5c..%5cx", "/%2e%2e%5cx",
                "/..;/x", "/.;/..;/x", "/%2e%2e;/x", "/..%3b/x", "/..%3B/x", "/a/..;x=1/..;/y",
                "/..%00/x", "/..%0a/x", "/..%2500/x",
                "/%3F/../../x", "/%23/../../x", "/a?/../../x", "/a#/../../x",
                "/../../../../../../../api/v1/namespaces/kube-system/secrets",
                "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/api/v1/secrets",
                "/..%252f..%252f..%252fapi%252fv1%252fsecrets",
                "/%c0%ae%c0%ae/x", "/%e0%80%ae%e0%80%ae/x", "/\u002e\u002e/x");
    }

    /**
     * Straight into the connector, bypassing RouteParser: the connector must hold the line on its own. Each path
     * is either refused, or the URI it builds stays under {@code .../proxy/} however the server decodes it.
     */
    @ParameterizedTest
    @MethodSource("traversalCorpus")
    void connectorAloneNeverLeavesTheProxyRoot(String path) {
        assertStaysInside(() -> connector.target(SANDBOX, new SandboxRoute("/p", "abc", 8080, path, "q=../../x"),
                Transport.HTTP));
        assertStaysInside(() -> connector.target(SANDBOX, new SandboxRoute("/p", "abc", 8080, path, null),
                Transport.WEBSOCKET));
    }

    /** The real pipeline: what the gateway parses from the request line goes through the connector. */
    @ParameterizedTest
    @MethodSource("traversalCorpus")
    void parsedRoutesNeverLeaveTheProxyRoot(String path) {
        RouteParser parser = new RouteParser("/api/v1/sandbox");
        SandboxRoute route;
        try {
            route = parser.parse("/api/v1/sandbox/abc/port/8080" + path, null);
        } catch (ProxyException refused) {
            assertThat(refused.error()).isEqualTo(ProxyError.ROUTE_INVALID);
            return;
        }
        assertStaysInside(() -> connector.target(SANDBOX, route, Transport.HTTP));
    }

    @Test
    void corpusContainsPathsThatWouldEscapeWithoutTheCheck() {
        // Guards the corpus itself: if every entry were harmless the tests above could not fail.
        long escaping = traversalCorpus().filter(p -> !serverView(ROOT.substring(0, ROOT.length() - 1) + p)
                .startsWith(ROOT)).count();
        assertThat(escaping).isGreaterThan(30);
    }

    @Test
    void readsARotatedTokenFileOnTheNextTarget() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "first\n");
        Path kubeconfig = KubeconfigFiles.write(dir, "https://k:6443", "    tokenFile: token\n");
        ApiServerProxyConnector c = new ApiServerProxyConnector(
                KubernetesAccess.fromKubeconfig(kubeconfig, Duration.ofHours(1)), KubernetesSettings.defaults());
        SandboxRoute route = new SandboxRoute("/p", "abc", 80, "/", null);
        assertThat(c.target(SANDBOX, route, Transport.HTTP).headers()).containsEntry("Authorization", "Bearer first");
        // Different length as well as content, so the change shows even on coarse-timestamp file systems.
        Files.writeString(dir.resolve("token.new"), "second-token");
        Files.move(dir.resolve("token.new"), token, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(c.target(SANDBOX, route, Transport.HTTP).headers())
                .containsEntry("Authorization", "Bearer second-token");
    }

    private static void assertStaysInside(java.util.function.Supplier<UpstreamTarget> build) {
        UpstreamTarget t;
        try {
            t = build.get();
        } catch (ProxyException refused) {
            assertThat(refused.error()).isEqualTo(ProxyError.ROUTE_INVALID);
            return;
        }
        String raw = t.uri().getRawPath();
        assertThat(raw).startsWith(ROOT);
        assertThat(serverView(raw)).as("decoded and normalised %s", raw).startsWith(ROOT);
    }

    /**
     * What a server that decodes greedily would make of a raw path: undo percent-encoding until stable, treat
     * backslashes as separators, drop ;parameters, then remove dot-segments (RFC 3986 section 5.2.4).
     */
    static String serverView(String rawPath) {
        String s = rawPath;
        for (int i = 0; i < 10; i++) {
            String d = percentDecode(s);
            if (d.equals(s)) {
                break;
            }
            s = d;
        }
        s = s.replace('\\', '/');
        Deque<String> out = new ArrayDeque<>();
        String[] segments = s.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String seg = segments[i];
            String name = seg.contains(";") ? seg.substring(0, seg.indexOf(';')) : seg;
            if (name.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                if (i == segments.length - 1) {
                    out.addLast("");
                }
            } else if (name.equals(".")) {
                if (i == segments.length - 1) {
                    out.addLast("");
                }
            } else {
                out.addLast(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
