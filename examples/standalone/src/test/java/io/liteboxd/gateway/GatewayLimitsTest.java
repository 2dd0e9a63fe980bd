package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.testkit.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unauthenticated client can hold on the standalone gateway, on real sockets: the request-head deadline and
 * the connection caps in total and per client address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GatewayLimitsTest {

    @TempDir
    static Path dir;

    private static DemoSandbox upstream;
    private static Path sandboxes;
    private GatewayServer gateway;
    private final List<RawHttp.Connection> clients = new ArrayList<>();

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
    void stop() throws IOException {
        for (RawHttp.Connection c : clients) {
            c.close();
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    private URI start(LimitOptions limits) throws Exception {
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes).withLimits(limits));
        return gateway.baseUri();
    }

    private RawHttp.Connection open(URI uri, String from) throws IOException {
        RawHttp.Connection c = RawHttp.Connection.open(uri, from);
        clients.add(c);
        return c;
    }

    private String get(String token) {
        return "GET /api/v1/sandbox/abc/port/" + upstream.port() + "/echo HTTP/1.1\r\nHost: gw\r\n"
                + (token == null ? "" : "X-Access-Token: " + token + "\r\n") + "\r\n";
    }

    /** Opens a connection and completes one request on it, so the gateway has surely accepted and counted it. */
    private RawHttp.Connection held(URI uri, String from) throws IOException {
        RawHttp.Connection c = open(uri, from);
        assertThat(c.exchange(get("tok")).status()).isEqualTo(200);
        return c;
    }

    @Test
    void aHeadTrickledInLineByLine_isCutOffAtTheDeadline() throws Exception {
        URI uri = start(LimitOptions.DEFAULTS.withHeaderTimeout(Duration.ofSeconds(1)));
        RawHttp.Connection slow = open(uri, null);
        slow.send("GET /api/v1/sandbox/abc/port/" + upstream.port() + "/echo HTTP/1.1\r\nHost: gw\r\n");
        long started = System.nanoTime();
        boolean closed = false;
        // One more header line every 200 ms keeps the idle timeout (30 s) from ever expiring.
        while (!closed && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15)) {
            try {
                slow.send("X-Slow: " + System.nanoTime() + "\r\n");
                closed = slow.closedWithoutAnswer(200);
            } catch (IOException e) {
                closed = true;
            }
        }
        assertThat(closed).as("closed").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("closed within a generous bound")
                .isLessThan(Duration.ofSeconds(10));

        // The deadline is per head: a prompt request, and a second one on a connection idle past it, are served.
        RawHttp.Connection prompt = open(uri, null);
        assertThat(prompt.exchange(get("tok")).status()).isEqualTo(200);
        Thread.sleep(1500);
        assertThat(prompt.exchange(get("tok")).status()).isEqualTo(200);
    }

    @Test
    void perAddressCap_refusesTheNextConnectionFromThatAddress_only() throws Exception {
        URI uri = start(LimitOptions.DEFAULTS.withConnections(0, 2));
        held(uri, "127.0.0.1");
        RawHttp.Connection second = held(uri, "127.0.0.1");

        RawHttp.Connection third = open(uri, "127.0.0.1");
        third.send(get("tok"));
        assertThat(third.closedWithoutAnswer(RawHttp.READ_TIMEOUT_MS)).as("third from 127.0.0.1 refused").isTrue();
        held(uri, "127.0.0.2");
        assertThat(gateway.refusedConnections()).isEqualTo(1);

        second.close();
        // The slot is given back once the gateway has seen the close.
        awaitServed(uri, "127.0.0.1");
    }

    @Test
    void totalCap_refusesTheNextConnection_fromAnyAddress() throws Exception {
        URI uri = start(LimitOptions.DEFAULTS.withConnections(2, 0));
        RawHttp.Connection first = held(uri, "127.0.0.1");
        held(uri, "127.0.0.2");

        RawHttp.Connection third = open(uri, "127.0.0.3");
        third.send(get("tok"));
        assertThat(third.closedWithoutAnswer(RawHttp.READ_TIMEOUT_MS)).as("third connection refused").isTrue();

        first.close();
        awaitServed(uri, "127.0.0.3");
    }

    @Test
    void defaults_areDocumented() {
        assertThat(LimitOptions.DEFAULTS.headerTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(LimitOptions.DEFAULTS.maxConnections()).isEqualTo(20_000);
        assertThat(LimitOptions.DEFAULTS.maxConnectionsPerIp()).isEqualTo(1_000);
        assertThat(GatewayOptions.defaults().proxyConfig().maxConnections()).isEqualTo(10_000);
        assertThat(GatewayOptions.defaults().proxyConfig().maxConnectionsPerSandbox()).isEqualTo(100);
    }

    private void awaitServed(URI uri, String from) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RawHttp.Connection c = RawHttp.Connection.open(uri, from)) {
                RawHttp.RawResponse r = c.exchange(get("tok"));
                // A connection the gateway still refuses is closed without an answer: try again.
                if (!r.closedWithoutResponse()) {
                    assertThat(r.status()).isEqualTo(200);
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not served again within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
