package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.ErrorBodies;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawHttp.Request;
import io.liteboxd.proxy.testkit.RawUpstream;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP relay (requests over kept-alive upstream connections) against upstreams that use keep-alive the many ways
 * real servers do: reuse, closing between requests, closing while a request is on its way, {@code Connection: close},
 * bodies ended by the close, interim answers and malformed answers (answers cut off are in
 * {@code HttpContract}, for every container). The request it sends is compared between the two front ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PooledHttpRelayTest {

    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);

    private Gateway gateway;

    /** Gateways of this class: the servlet path here, Jetty's core handler in the subclass. */
    protected Gateway.Builder gatewayBuilder() {
        return Gateway.builder();
    }

    @BeforeAll
    void start() throws Exception {
        gateway = gatewayBuilder().sandboxes(TestSandboxes.create(1))
                .config(ProxyConfig.builder().connectTimeout(Duration.ofSeconds(1))
                        .requestTimeout(Duration.ofSeconds(2)).build())
                .start();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    /** Answers every request on the connection with 200 "ok" until the gateway closes it. */
    private static void keepAnswering(Socket s, RawUpstream u) throws IOException {
        while (true) {
            u.readHead(s);
            s.getOutputStream().write(OK);
            s.getOutputStream().flush();
        }
    }

    /** {@link #keepAnswering}, counting the connections that have ended (closed by the gateway). */
    private static RawUpstream.Behaviour keepAnsweringCounting(AtomicInteger ended) {
        return (s, u) -> {
            try {
                keepAnswering(s, u);
            } finally {
                ended.incrementAndGet();
            }
        };
    }

    private RawHttp.RawResponse get(int port, String rest) throws IOException {
        return RawHttp.exchange(gateway.port(), Request.get(TestSandboxes.path(port, rest)).token(TOKEN));
    }

    @Test
    void sequentialRequestsShareOneKeptAliveConnection() throws Exception {
        try (RawUpstream up = RawUpstream.start(PooledHttpRelayTest::keepAnswering)) {
            for (int i = 0; i < 5; i++) {
                RawHttp.RawResponse r = get(up.port(), "/seq/" + i);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("ok");
            }
            assertThat(up.accepted()).as("upstream connections for 5 sequential requests").isEqualTo(1);
            assertThat(up.heads()).hasSize(5);
        }
    }

    @Test
    void closingGatewayClosesItsParkedConnections() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        try (RawUpstream up = RawUpstream.start(keepAnsweringCounting(ended));
             Gateway own = gatewayBuilder().sandboxes(TestSandboxes.create(1)).start()) {
            RawHttp.RawResponse r = RawHttp.exchange(own.port(), Request.get(TestSandboxes.path(up.port(), "/x"))
                    .token(TOKEN));
            assertThat(r.status()).isEqualTo(200);
            assertThat(ended.get()).as("the parked connection is still open").isZero();
            own.close();
            Await.until("the upstream sees its parked connection closed", BOUND, () -> ended.get() == 1,
                    ended::get);
        }
    }

    @Test
    void parkedConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        try (RawUpstream up = RawUpstream.start(keepAnsweringCounting(ended))) {
            assertThat(get(up.port(), "/once").status()).isEqualTo(200);
            // requestTimeout is 2 s here; the connection must not stay parked (and open) for ever.
            Await.until("the upstream sees the idle parked connection closed", BOUND, () -> ended.get() == 1,
                    ended::get);
            assertThat(get(up.port(), "/again").status()).as("a new connection after the idle one closed")
                    .isEqualTo(200);
            assertThat(up.accepted()).isEqualTo(2);
        }
    }

    @Test
    void upstreamClosingAfterEachAnswerFailsNoRequest() throws Exception {
        // Keep-alive timeout of zero: answers as if the connection stayed open, then closes it at once.
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            s.getOutputStream().write(OK);
            s.getOutputStream().flush();
        })) {
            for (int i = 0; i < 10; i++) {
                RawHttp.RawResponse r = get(up.port(), "/closing/" + i);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("ok");
            }
        }
    }

    /** The close crosses the next request: the upstream reads it and hangs up without answering. */
    private static RawUpstream answersOnceThenHangsUp() throws IOException {
        return RawUpstream.start((s, u) -> {
            u.readHead(s);
            s.getOutputStream().write(OK);
            s.getOutputStream().flush();
            u.readHead(s);
            // second request on this connection: no answer
        });
    }

    @Test
    void idempotentRequestCaughtByAClosingConnectionIsSentAgainOnANewOne() throws Exception {
        try (RawUpstream up = answersOnceThenHangsUp()) {
            assertThat(get(up.port(), "/first").status()).isEqualTo(200);
            RawHttp.RawResponse r = get(up.port(), "/second");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok");
            assertThat(up.accepted()).isEqualTo(2);
            assertThat(up.heads()).hasSize(3);
            assertThat(up.heads().get(1)).startsWith("GET /second ");
            assertThat(up.heads().get(2)).startsWith("GET /second ");
        }
    }

    @Test
    void nonIdempotentRequestCaughtByAClosingConnectionIsNotSentTwice() throws Exception {
        try (RawUpstream up = answersOnceThenHangsUp()) {
            assertThat(get(up.port(), "/first").status()).isEqualTo(200);
            RawHttp.RawResponse r = RawHttp.exchange(gateway.port(),
                    Request.of("DELETE", TestSandboxes.path(up.port(), "/item")).token(TOKEN));
            ErrorBodies.assertJsonError(r, 502, "upstream_unreachable");
            assertThat(up.heads()).hasSize(2);
        }
    }

    @Test
    void connectionCloseFromTheUpstreamIsHonoured() throws Exception {
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // Keeps the socket open: only the header says the connection is done.
            u.holdSilently(s);
        })) {
            assertThat(get(up.port(), "/a").status()).isEqualTo(200);
            RawHttp.RawResponse r = get(up.port(), "/b");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(up.accepted()).isEqualTo(2);
            assertThat(up.heads()).hasSize(2);
        }
    }

    @Test
    void bodyEndedByTheUpstreamClosingArrivesWhole() throws Exception {
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        })) {
            RawHttp.RawResponse r = get(up.port(), "/till-close");
            assertThat(r.status()).as(r.statusLine()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(body);
        }
    }

    @Test
    void interimAnswersAreSkippedAndTheFinalOneRelayed() throws Exception {
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            u.holdSilently(s);
        })) {
            RawHttp.RawResponse r = get(up.port(), "/hints");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header("X-Final")).isEqualTo("yes");
            assertThat(r.bodyText()).isEqualTo("final");
        }
    }

    @Test
    void malformedAnswerIs502() throws Exception {
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            s.getOutputStream().write("HTTP/1.1 two hundred\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            u.holdSilently(s);
        })) {
            ErrorBodies.assertJsonError(get(up.port(), "/bad"), 502, "upstream_unreachable");
        }
    }

    /**
     * Both front ends send the upstream the same request: same request line, same headers and values (order aside),
     * whether it came through the servlet API or Jetty's core API.
     */
    @Test
    void sendsTheSameRequestHeadAsTheServletFrontEnd() throws Exception {
        List<String> viaPooled;
        List<String> viaServlet;
        Request request = Request.get("/echo/head?a=1&b=%2F")
                .header("X-Client-Trace: t-1")
                .header("Cookie: app=1; liteboxd_token=secret")
                .header("Via: 1.0 upstream-cache")
                .header("X-Forwarded-For: 10.9.8.7")
                .header("X-Forwarded-Prefix: /evil")
                .header("Connection: keep-alive, X-Hop")
                .header("X-Hop: drop-me")
                .header("Keep-Alive: timeout=5")
                .header("Accept: */*");
        try (RawUpstream up = RawUpstream.start((s, u) -> {
            u.readHead(s);
            s.getOutputStream().write(OK);
            s.getOutputStream().flush();
        });
             Gateway servletOnly = Gateway.builder().sandboxes(TestSandboxes.create(1)).start()) {
            String target = TestSandboxes.path(up.port(), "/echo/head?a=1&b=%2F");
            assertThat(RawHttp.exchange(gateway.port(), withTarget(request, target)).status()).isEqualTo(200);
            assertThat(RawHttp.exchange(servletOnly.port(), withTarget(request, target)).status()).isEqualTo(200);
            viaPooled = normalised(up.heads().get(0), gateway.port());
            viaServlet = normalised(up.heads().get(1), servletOnly.port());
        }
        assertThat(viaPooled).containsExactlyInAnyOrderElementsOf(viaServlet);
        assertThat(viaPooled).anySatisfy(l -> assertThat(l).startsWith("get /echo/head?a=1&b=%2f http/1.1"));
        assertThat(String.join("\n", viaPooled)).doesNotContain("secret", "x-hop", "keep-alive", "/evil",
                "x-access-token");
    }

    private static Request withTarget(Request template, String target) {
        Request r = Request.get(target).token(TOKEN);
        for (String line : template.toString().split("\r\n")) {
            if (line.contains(": ") && !line.startsWith("Host:")) {
                r.header(line);
            }
        }
        return r;
    }

    /** Header lines lower-cased, the gateway port (in X-Forwarded-Port) and ids that differ per request blanked. */
    private static List<String> normalised(String head, int gatewayPort) {
        List<String> lines = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("x-request-id:")) {
                l = "x-request-id: *";
            }
            lines.add(l.replace(":" + gatewayPort, ":PORT").replace(": " + gatewayPort, ": PORT"));
        }
        return lines;
    }
}
