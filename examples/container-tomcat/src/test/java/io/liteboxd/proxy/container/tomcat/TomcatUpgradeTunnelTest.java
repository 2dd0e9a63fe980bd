package io.liteboxd.proxy.container.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawWebSocket;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.WsFrames;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tunnel's client leg over the Servlet API's protocol upgrade, on a real Tomcat with real sockets: the cases
 * where the adapter, not the tunnel's core, decides what happens (backpressure towards the upstream, a client or an
 * upstream that goes away mid-stream, the container stopping under open sessions).
 */
class TomcatUpgradeTunnelTest {

    private static final String SANDBOX = "sb1";
    private static final String TOKEN = "tok-upgrade";
    private static final Duration BOUND = Duration.ofSeconds(20);

    private Upstream upstream;
    private Tomcat tomcat;
    private Path baseDir;
    private ProxyServlet servlet;
    private int port;
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = Upstream.start();
        startTomcat(ProxyConfig.WebSocketRelay.AUTO);
    }

    @AfterEach
    void stop() throws Exception {
        for (RawWebSocket ws : sockets) {
            if (!ws.socket().isClosed()) {
                ws.reset();
            }
        }
        stopTomcat();
        upstream.close();
    }

    @Test
    void autoPicksTheUpgradeTunnelOnTomcatAndJakartaPicksTheBridge() throws Exception {
        assertThat(servlet.webSocketRelay()).startsWith("upgrade-tunnel");
        stopTomcat();
        startTomcat(ProxyConfig.WebSocketRelay.JAKARTA);
        assertThat(servlet.webSocketRelay()).startsWith("jakarta-bridge");
    }

    @Test
    void relaysAGreetingAndAnEchoAndClosesNormally() throws Exception {
        RawWebSocket ws = open("/ws/greet");
        assertThat(ws.handshake().status()).isEqualTo(101);
        assertThat(text(ws.nextData(BOUND))).isEqualTo(Upstream.GREETING);
        ws.sendText("hello through the upgrade");
        assertThat(text(ws.nextData(BOUND))).isEqualTo("hello through the upgrade");
        ws.sendRaw(WsFrames.client(true, WsFrames.CLOSE, WsFrames.closePayload(1000, "bye")));
        assertThat(ws.awaitClose(BOUND).closeCode()).isEqualTo(1000);
        assertThat(ws.awaitEndOfStream(BOUND)).as("the gateway closes the client's TCP connection").isTrue();
        awaitNoSessions();
    }

    @Test
    void aClientThatReadsNothingStopsTheUpstreamAndReadingResumesIt() throws Exception {
        long before = upstream.firehoseMessages();
        RawWebSocket ws = RawWebSocket.open(port, RawHttp.Request.get(path("/ws/firehose?bytes=16384"))
                .webSocket().token(TOKEN), 16 * 1024);
        sockets.add(ws);
        long plateau = awaitStable(upstream::firehoseMessages);
        assertThat((plateau - before) * 16384).as("bytes the upstream could write to a client that reads nothing")
                .isLessThan(64L * 1024 * 1024);
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (upstream.firehoseMessages() <= plateau) {
            assertThat(System.nanoTime()).as("the upstream writes again once the client reads").isLessThan(deadline);
            ws.nextData(BOUND);
        }
    }

    @Test
    void aClientThatVanishesMidMessageEndsBothLegs() throws Exception {
        RawWebSocket ws = open("/ws/echo?probe=vanish");
        ws.sendText("whole");
        assertThat(text(ws.nextData(BOUND))).isEqualTo("whole");
        // A frame header announcing 1000 bytes, ten of them, then the TCP connection ends.
        byte[] frame = WsFrames.client(true, WsFrames.TEXT, "x".repeat(1000).getBytes(StandardCharsets.UTF_8));
        byte[] partial = new byte[frame.length - 990];
        System.arraycopy(frame, 0, partial, 0, partial.length);
        ws.sendRaw(partial);
        ws.vanish();
        assertThat(upstream.awaitClose("vanish", BOUND).code()).as("the upstream is told the client went away")
                .isEqualTo(1001);
        awaitNoSessions();
    }

    @Test
    void anUpstreamThatDiesClosesTheClient() throws Exception {
        RawWebSocket ws = open("/ws/echo");
        ws.sendText("ping");
        assertThat(text(ws.nextData(BOUND))).isEqualTo("ping");
        upstream.dropAllSessions();
        WsFrames.Frame close = ws.awaitClose(BOUND);
        assertThat(close.closeCode()).as("a sendable code telling the client its upstream is gone")
                .isNotEqualTo(1000).isNotEqualTo(1006);
        assertThat(ws.awaitEndOfStream(BOUND)).isTrue();
        awaitNoSessions();
    }

    @Test
    void stoppingTheContainerSendsGoingAwayToOpenSessions() throws Exception {
        List<RawWebSocket> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawWebSocket ws = open("/ws/echo?probe=drain" + i);
            ws.sendText("hi " + i);
            assertThat(text(ws.nextData(BOUND))).isEqualTo("hi " + i);
            open.add(ws);
        }
        // The drain waits for the close handshakes, which these clients must answer while Tomcat stops.
        Thread stopper = new Thread(() -> {
            try {
                stopTomcat();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        stopper.start();
        for (int i = 0; i < open.size(); i++) {
            RawWebSocket ws = open.get(i);
            assertThat(ws.awaitClose(BOUND).closeCode()).isEqualTo(1001);
            ws.sendRaw(WsFrames.client(true, WsFrames.CLOSE, WsFrames.closePayload(1001, "")));
            assertThat(upstream.awaitClose("drain" + i, BOUND).code()).isEqualTo(1001);
        }
        stopper.join(BOUND.toMillis());
        assertThat(stopper.isAlive()).as("Tomcat stopped").isFalse();
    }

    // ---- support -----------------------------------------------------------------------------------------------

    private RawWebSocket open(String upstreamPath) throws Exception {
        RawWebSocket ws = RawWebSocket.open(port, RawHttp.Request.get(path(upstreamPath)).webSocket().token(TOKEN));
        sockets.add(ws);
        assertThat(ws.handshake().status()).as("handshake %s", ws.handshake()).isEqualTo(101);
        return ws;
    }

    private String path(String upstreamPath) {
        return ProxyConfig.DEFAULT_ROUTE_PREFIX + "/" + SANDBOX + "/port/" + upstream.port() + upstreamPath;
    }

    private static String text(WsFrames.Frame frame) {
        return new String(frame.payload(), StandardCharsets.UTF_8);
    }

    private void awaitNoSessions() throws InterruptedException {
        await("relays finished", () -> servlet.openWebSockets() == 0);
        await("upstream sessions closed", () -> upstream.openSessions() == 0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The value once it stopped changing over several polls (backpressure reached its source). */
    private static long awaitStable(java.util.function.LongSupplier value) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        long last = value.getAsLong();
        int unchanged = 0;
        while (unchanged < 10) {
            assertThat(System.nanoTime()).as("the upstream stops writing to a client that reads nothing")
                    .isLessThan(deadline);
            Thread.sleep(100);
            long now = value.getAsLong();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }

    private void startTomcat(ProxyConfig.WebSocketRelay relay) throws Exception {
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(
                new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN)));
        ProxyConfig config = ProxyConfig.builder().webSocketRelay(relay).pingInterval(Duration.ZERO)
                .drainTimeout(BOUND).build();
        servlet = new ProxyServlet(config, sandboxes.authenticator(), sandboxes.resolver(), new DirectPodConnector());
        baseDir = Files.createTempDirectory("liteboxd-upgrade");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", baseDir.toString());
        context.addServletContainerInitializer(new WsSci(), null);
        ProxyServlet s = servlet;
        context.addServletContainerInitializer(new ServletContainerInitializer() {
            @Override
            public void onStartup(Set<Class<?>> classes, ServletContext ctx) {
                ProxyRegistration.register(ctx, s);
            }
        }, null);
        tomcat.start();
        port = connector.getLocalPort();
    }

    private synchronized void stopTomcat() throws Exception {
        if (tomcat == null) {
            return;
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            tomcat = null;
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
