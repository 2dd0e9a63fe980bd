package io.liteboxd.gateway;

import io.liteboxd.proxy.testkit.Nginx;
import io.liteboxd.proxy.testkit.RawUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway behind a real nginx with the usual WebSocket configuration ({@code Upgrade}/{@code Connection} passed
 * on), which denies one sandbox by location. A hostile sandbox answers {@code 101} to a plain POST that carried an
 * {@code Upgrade} header: if the gateway relayed that 101, nginx would turn the client's connection into a tunnel,
 * and the next request on it would reach the gateway past nginx's rules.
 *
 * <p>Needs Debian's {@code nginx}. Skipped with a message when it is missing, unless {@code LITEBOXD_REQUIRE_NGINX}
 * is set ({@code .ci/run} installs nginx and sets it, so CI fails rather than skips).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NginxFrontTest {


    @TempDir
    static Path dir;

    private static DemoSandbox denied;
    private static RawUpstream switcher;
    private static GatewayServer gateway;
    private static Nginx nginx;
    private static int nginxPort;

    @BeforeAll
    static void start() throws Exception {
        Nginx.requireOrSkip("the nginx front test");
        denied = DemoSandbox.start();
        switcher = RawUpstream.start(NginxFrontTest::switchEveryRequest);
        Path sandboxes = dir.resolve("sandboxes.json");
        Files.writeString(sandboxes, """
                {"sandboxes":[
                  {"id":"attacker","host":"127.0.0.1","token":"attacker-token"},
                  {"id":"denied","host":"127.0.0.1","token":"denied-token"}
                ]}
                """);
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes));
        nginxPort = Nginx.freePort();
        nginx = startNginx(gateway.baseUri().getPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (gateway != null) {
            gateway.stop();
        }
        if (switcher != null) {
            switcher.close();
        }
        if (denied != null) {
            denied.stop();
        }
    }

    @Test
    void deniedSandbox_isDeniedByNginx() throws Exception {
        try (Socket s = connect()) {
            send(s, deniedRequest());
            assertThat(readResponse(s)).startsWith("HTTP/1.1 403").contains("nginx");
        }
    }

    @Test
    void upstreamSwitchingProtocolsOnAPost_doesNotOpenATunnelThroughNginx() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST /api/v1/sandbox/attacker/port/" + switcher.port() + "/ HTTP/1.1\r\n"
                    + "Host: gw.test\r\nX-Access-Token: attacker-token\r\nUpgrade: tunnel\r\nConnection: Upgrade\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc");
            String first = readResponse(s);
            assertThat(first).as(first).startsWith("HTTP/1.1 502").contains("upstream_unreachable")
                    .doesNotContain("101");

            // On a tunnel this would reach the gateway directly; nginx must still be the one answering it.
            String second;
            try {
                send(s, deniedRequest());
                second = readResponse(s);
            } catch (IOException closed) {
                second = "";
            }
            assertThat(second).as("the request after the 101 attempt: %s", second)
                    .doesNotContain("X-Upstream").doesNotContain("\"path\"")
                    .satisfiesAnyOf(r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("HTTP/1.1 403"));
        }
    }

    private static String deniedRequest() {
        return "GET /api/v1/sandbox/denied/port/" + denied.port() + "/echo HTTP/1.1\r\nHost: gw.test\r\n"
                + "X-Access-Token: denied-token\r\n\r\n";
    }

    /** Answers every request with a 101 to a protocol nobody asked for, then keeps the connection open. */
    private static void switchEveryRequest(Socket s, RawUpstream upstream) throws IOException {
        upstream.readHead(s);
        s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: tunnel\r\n"
                + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        s.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    private static Nginx startNginx(int gatewayPort) throws Exception {
        return Nginx.start(dir, nginxPort, 64, """
                  server {
                    listen 127.0.0.1:%1$d;
                    location /api/v1/sandbox/denied/ { return 403; }
                    location / {
                      proxy_pass http://127.0.0.1:%2$d;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection $connection_upgrade;
                      proxy_set_header Host $host;
                      proxy_read_timeout 30s;
                    }
                  }
                """.formatted(nginxPort, gatewayPort));
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", nginxPort);
        s.setSoTimeout(15_000);
        return s;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response: its head, and a body of Content-Length bytes (nginx and the gateway both send one here). */
    private static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        try {
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
        } catch (SocketTimeoutException e) {
            return head.toString(StandardCharsets.ISO_8859_1);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return text + new String(body, StandardCharsets.UTF_8);
    }
}
