package io.liteboxd.proxy.servlet.internal.websocket.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.container.tomcat.TomcatGateways;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.testkit.GatewaySetup;
import io.liteboxd.proxy.testkit.GatewayVariant;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.testkit.WsFrames;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket handshake waiting for its upstream's answer holds no Tomcat worker: the request goes asynchronous while
 * the upstream is dialled and is upgraded when the answer comes. Tomcat gets two workers here; more handshakes than
 * that must all reach the upstream while every one of them is still waiting, and a plain request must be served
 * meanwhile. Were a worker held per dial, the third handshake would reach the upstream only after the connect
 * timeout (a minute here) freed one.
 */
class TomcatHandshakeThreadsTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int WORKERS = 2;
    private static final int HANDSHAKES = 3 * WORKERS;
    private static final String SANDBOX = "sb1";
    private static final String TOKEN = "tok-sb1-secret";

    private GatewayVariant.Running gateway;

    @BeforeEach
    void start() throws Exception {
        StaticSandboxes sandboxes = new StaticSandboxes(
                List.of(new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN)));
        ProxyConfig config = ProxyConfig.builder().connectTimeout(Duration.ofSeconds(60)).build();
        gateway = TomcatGateways.start(new GatewaySetup(config, sandboxes.authenticator(), sandboxes.resolver(),
                new DirectPodConnector()), connector -> {
                    connector.setProperty("maxThreads", String.valueOf(WORKERS));
                    connector.setProperty("minSpareThreads", "1");
                });
        assertThat(gateway.webSocketRelay()).startsWith("tomcat-tunnel");
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void handshakesWaitingForTheUpstream_holdNoWorker() throws Exception {
        CountDownLatch dialled = new CountDownLatch(HANDSHAKES);
        CountDownLatch answer = new CountDownLatch(1);
        List<Socket> clients = new ArrayList<>();
        try (RawUpstream app = RawUpstream.start((s, u) -> {
            String head = u.readHead(s);
            if (head.startsWith("GET /plain ")) {
                RawUpstream.answerOk(s);
                return;
            }
            dialled.countDown();
            answer.await();
            s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + WsFrames.acceptKey(key(head)) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(WsFrames.server(true, WsFrames.TEXT, "hello".getBytes(StandardCharsets.UTF_8)));
            s.getOutputStream().flush();
            u.holdSilently(s);
        })) {
            String prefix = ProxyConfig.DEFAULT_ROUTE_PREFIX + "/" + SANDBOX + "/port/" + app.port();
            for (int i = 0; i < HANDSHAKES; i++) {
                Socket client = RawHttp.connect(gateway.uri().getPort());
                clients.add(client);
                client.getOutputStream().write(RawHttp.Request.get(prefix + "/ws").webSocket().token(TOKEN).bytes());
                client.getOutputStream().flush();
            }
            assertThat(dialled.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("all %d handshakes reached the upstream with %d workers (%d still on their way)",
                            HANDSHAKES, WORKERS, dialled.getCount())
                    .isTrue();

            try (RawHttp.Connection plain = RawHttp.Connection.open(gateway.uri())) {
                RawHttp.RawResponse ok = plain.exchange(RawHttp.Request.get(prefix + "/plain").token(TOKEN).toString());
                assertThat(ok.status()).as("a plain request while %d handshakes wait", HANDSHAKES).isEqualTo(200);
            }

            answer.countDown();
            for (Socket client : clients) {
                InputStream in = new BufferedInputStream(client.getInputStream());
                RawHttp.RawResponse upgraded = RawHttp.read(in, RawHttp.Reading.LENIENT);
                assertThat(upgraded.status()).as("handshake answered after the upstream's 101").isEqualTo(101);
                assertThat(WsFrames.read(in).text()).as("the upstream's greeting, relayed").isEqualTo("hello");
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static String key(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new AssertionError("no Sec-WebSocket-Key in " + head);
    }
}
