package io.liteboxd.gateway;

import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A stand-in sandbox served in-process, so the gateway can be tried without a cluster: a page at {@code /}, an
 * HTTP echo at {@code /echo} and a WebSocket echo at {@code /ws}, on a loopback port chosen by the OS.
 *
 * <p>A plain Jetty core server, deliberately not a servlet app: it plays a container workload, which knows
 * nothing about the gateway or its route prefix.
 */
public final class DemoSandbox {

    public static final String ID = "demo";
    public static final String HOST = "127.0.0.1";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Server server;
    private final ServerConnector connector;
    private final String token;

    private DemoSandbox(Server server, ServerConnector connector, String token) {
        this.server = server;
        this.connector = connector;
        this.token = token;
    }

    /** Starts the demo on {@code 127.0.0.1:0} with a fresh access token. */
    public static DemoSandbox start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("demo-sandbox");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1,
                new HttpConnectionFactory(PassthroughHttp.configuration()));
        connector.setHost(HOST);
        connector.setPort(0);
        server.addConnector(connector);

        WebSocketUpgradeHandler webSockets = WebSocketUpgradeHandler.from(server, container -> {
            // Long enough for someone typing into the demo page; the gateway's pings keep busier sessions alive.
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.setMaxTextMessageSize(DemoHandler.MAX_BODY_BYTES);
            container.setMaxBinaryMessageSize(DemoHandler.MAX_BODY_BYTES);
            container.addMapping("/ws", (request, response, callback) -> new EchoSocket());
        });
        webSockets.setHandler(new DemoHandler());
        server.setHandler(webSockets);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new DemoSandbox(server, connector, newToken());
    }

    /** 256 random bits, URL-safe so the token pastes into shells, headers and (later) query strings unescaped. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The token that opens this sandbox through the gateway; valid for this process only. */
    public String token() {
        return token;
    }

    /**
     * This sandbox as the gateway should know it. Only the demo's own port is open: a token for a sandbox on
     * {@code 127.0.0.1} with every port allowed would open every loopback service of this machine.
     */
    public StaticSandboxes.Entry entry() {
        return new StaticSandboxes.Entry(new Sandbox(ID, HOST, true, Set.of(port())), token);
    }

    public void stop() throws Exception {
        server.stop();
    }
}
