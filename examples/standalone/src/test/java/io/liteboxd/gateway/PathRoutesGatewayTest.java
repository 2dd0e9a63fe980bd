package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.config.ProxyConfig.PathRoutes;
import io.liteboxd.proxy.testkit.RawHttp;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --path-routes} on the standalone gateway with a base domain, on real sockets. */
class PathRoutesGatewayTest {

    private static final String BASE = "sandbox.test";

    @TempDir
    static Path dir;

    private static DemoSandbox upstream;
    private static Path sandboxes;
    private GatewayServer gateway;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = DemoSandbox.start();
        sandboxes = dir.resolve("sandboxes.json");
        Files.writeString(sandboxes, "{\"sandboxes\":[{\"id\":\"abc\",\"host\":\"127.0.0.1\",\"token\":\"tok\"}]}");
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstream.stop();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
    }

    private URI start(PathRoutes routes) throws Exception {
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes).withBaseDomain(BASE).withPathRoutes(routes));
        return gateway.baseUri();
    }

    private RawHttp.RawResponse get(URI uri, String host, String target, String header) throws Exception {
        try (RawHttp.Connection c = RawHttp.Connection.open(uri)) {
            return c.exchange("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (header == null ? "" : header + "\r\n") + "Connection: close\r\n\r\n");
        }
    }

    private String path(String query) {
        return "/api/v1/sandbox/abc/port/" + upstream.port() + "/echo" + (query == null ? "" : "?" + query);
    }

    private static void assertError(RawHttp.RawResponse a, int status, String code) throws Exception {
        assertThat(a.status()).as(a.bodyText()).isEqualTo(status);
        assertThat(a.header("content-type")).startsWith("application/json");
        assertThat(new ObjectMapper().readTree(a.body()).path("code").asText()).isEqualTo(code);
    }

    @Test
    void on_servesPathRoutesElsewhere_butNeverOnTheBaseDomainOrDeeperNames() throws Exception {
        URI uri = start(PathRoutes.ON);
        assertThat(get(uri, "127.0.0.1", path("liteboxd_token=tok"), null).status()).isEqualTo(200);
        for (String host : new String[] {BASE, BASE + ":" + uri.getPort(), "a.b." + BASE}) {
            assertError(get(uri, host, path(null), "X-Access-Token: tok"), 404, "route_not_found");
        }
        assertThat(get(uri, upstream.port() + "-abc." + BASE, "/echo", "X-Access-Token: tok").status())
                .isEqualTo(200);
    }

    @Test
    void headerOnly_takesOnlyTheHeaderOnPathRoutes() throws Exception {
        URI uri = start(PathRoutes.HEADER_ONLY);
        assertThat(get(uri, "127.0.0.1", path(null), "X-Access-Token: tok").status()).isEqualTo(200);
        assertError(get(uri, "127.0.0.1", path("liteboxd_token=tok"), null), 401, "token_missing");
        assertError(get(uri, "127.0.0.1", path(null), "Cookie: liteboxd_token=tok"), 401, "token_missing");
        RawHttp.RawResponse byHost = get(uri, upstream.port() + "-abc." + BASE, "/echo?liteboxd_token=tok", null);
        assertThat(byHost.status()).isEqualTo(200);
        assertThat(byHost.headers().get("set-cookie")).anyMatch(c -> c.startsWith("liteboxd_token="));
    }

    @Test
    void off_servesHostRoutesOnly() throws Exception {
        URI uri = start(PathRoutes.OFF);
        assertError(get(uri, "127.0.0.1", path(null), "X-Access-Token: tok"), 404, "route_not_found");
        assertThat(get(uri, upstream.port() + "-abc." + BASE, "/echo", "X-Access-Token: tok").status())
                .isEqualTo(200);
    }
}
