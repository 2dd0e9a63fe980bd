package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP half of the gateway contract every container and front end must pass: pass-through of methods, statuses,
 * headers and bodies (streamed both ways), what never reaches the upstream or the client, upstream failures, and
 * admission refusals (on HTTP and on the WebSocket handshake, both answered before any relay is involved). The
 * WebSocket relay setting plays no part here: a module runs it once per container and front end.
 */
public abstract class HttpContract extends GatewayContract {

    // ---------------------------------------------------------------------------------------------------------
    // HTTP pass-through
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void get_passesStatusHeadersAndBody() throws Exception {
        HttpResponse<byte[]> r = send(request("/echo/hello?x=1").header("X-Client-Trace", "get-1").GET());

        assertThat(r.statusCode()).isEqualTo(200);
        // A small answer of known length keeps a length (gathered, it is sent whole), not chunked framing.
        assertThat(r.headers().firstValue("content-length")).hasValue(Integer.toString(r.body().length));
        assertThat(r.headers().firstValue(Upstream.MARKER_HEADER)).hasValue(Upstream.MARKER_VALUE);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode echo = json(r.body());
        assertThat(echo.path("method").asText()).isEqualTo("GET");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/hello");
        assertThat(echo.path("query").asText()).isEqualTo("x=1");
        assertThat(header(echo, "x-client-trace")).containsExactly("get-1");
    }

    @Test
    void post_passesBodyAndUpstreamStatus() throws Exception {
        String body = "{\"name\":\"widget\",\"note\":\"caf\u00e9 \u2713\"}";
        HttpResponse<byte[]> r = send(request("/echo/items?status=201")
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));

        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode echo = json(r.body());
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("body").asText()).isEqualTo(body);
        assertThat(echo.path("bodyBytes").asLong()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(header(echo, "content-type")).containsExactly("application/json; charset=utf-8");
    }

    @Test
    void put_streamsBodyBackVerbatim() throws Exception {
        byte[] payload = TestData.bytes(MiB, 11);
        HttpResponse<byte[]> r = send(request("/stream/blob")
                .header("Content-Type", "application/x-liteboxd-test")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(payload)));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Echo-Method")).hasValue("PUT");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-liteboxd-test");
        assertThat(r.body()).hasSize(payload.length);
        assertThat(TestData.sha256(r.body())).isEqualTo(TestData.sha256(payload));
    }

    @Test
    void delete_passesMethod() throws Exception {
        HttpResponse<byte[]> r = send(request("/echo/items/7").DELETE());

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(echo.path("method").asText()).isEqualTo("DELETE");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/items/7");
    }

    @Test
    void head_keepsUpstreamContentLengthAndSendsNoBody() throws Exception {
        RawHttp.RawResponse r = raw("HEAD", "/download?bytes=1234", List.of("X-Access-Token: " + TOKEN));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-Echo-Method")).isEqualTo("HEAD");
        assertThat(r.header("content-length")).isEqualTo("1234");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void options_passesAllowHeader() throws Exception {
        HttpResponse<byte[]> r = send(request("/echo/things").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Echo-Method")).hasValue("OPTIONS");
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD, POST, PUT, DELETE, OPTIONS");
    }

    /** The upstream's own error statuses and bodies are the app's answer, not the gateway's: pass them as they are. */
    @ParameterizedTest
    @ValueSource(ints = {204, 404, 418, 500, 503})
    void upstreamStatus_isPassedThroughWithUpstreamBody(int status) throws Exception {
        HttpResponse<byte[]> r = send(request("/echo/status?status=" + status).GET());

        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue(Upstream.MARKER_HEADER)).hasValue(Upstream.MARKER_VALUE);
        if (status == 204) {
            assertThat(r.body()).isEmpty();
        } else {
            JsonNode echo = json(r.body());
            assertThat(echo.path("method").asText()).as("the upstream's body, not a gateway error").isEqualTo("GET");
            assertThat(echo.has("code")).isFalse();
        }
    }

    @Test
    void largeDownload_32MiB_arrivesIntact() throws Exception {
        long size = 32L * MiB;
        HttpResponse<InputStream> r = http.sendAsync(request("/download?bytes=" + size + "&seed=3").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(r.statusCode()).isEqualTo(200);
        TestData.Digest got = bounded(() -> {
            try (InputStream in = r.body()) {
                return TestData.Digest.of(in);
            }
        });
        assertThat(got.length()).isEqualTo(size);
        assertThat(got.sha256()).isEqualTo(TestData.sha256(size, 3));
    }

    @Test
    void largeChunkedUpload_32MiB_arrivesIntact() throws Exception {
        long size = 32L * MiB;
        // ofInputStream has no length, so the client sends Transfer-Encoding: chunked.
        HttpResponse<byte[]> r = send(request("/echo/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(size, 5))));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(echo.path("bodyBytes").asLong()).isEqualTo(size);
        assertThat(echo.path("bodySha256").asText()).isEqualTo(TestData.sha256(size, 5));
    }

    @Test
    void largeSizedUpload_64MiB_arrivesIntact() throws Exception {
        long size = 64L * MiB;
        HttpRequest.BodyPublisher sized = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(size, 6)), size);
        HttpResponse<byte[]> r = send(request("/echo/upload").PUT(sized));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(echo.path("method").asText()).isEqualTo("PUT");
        assertThat(echo.path("bodyBytes").asLong()).isEqualTo(size);
        assertThat(echo.path("bodySha256").asText()).isEqualTo(TestData.sha256(size, 6));
    }

    /**
     * {@code Expect: 100-continue} behaves as a client expects: the interim 100 comes before the client sends its
     * body (the container sends it when the relay first reads), the answer is the upstream's, and the upstream is not
     * asked again: a forwarded {@code Expect} would be stale, the body already being on its way.
     */
    @Test
    void expect100Continue_getsA100_thenTheUpstreamsAnswer() throws Exception {
        byte[] body = "expected body".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = RawHttp.connect(gateway)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + route(SANDBOX, upstream.port(), "/echo/continue") + " HTTP/1.1\r\n"
                    + "Host: " + gateway.getHost() + ":" + gateway.getPort() + "\r\nX-Access-Token: " + TOKEN
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            String interim = RawHttp.readLine(in);
            assertThat(interim).as("the interim answer, before any body byte is sent").startsWith("HTTP/1.1 100");
            while (!RawHttp.readLine(in).isEmpty()) {
                // The interim answer's fields, if any.
            }
            out.write(body);
            out.flush();
            RawHttp.RawResponse r = RawHttp.read(in, RawHttp.Reading.STRICT);

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode echo = json(r.body());
            assertThat(echo.path("body").asText()).isEqualTo("expected body");
            assertThat(header(echo, "expect")).isEmpty();
        }
    }

    /**
     * A request with a body is never sent twice: when the upstream closes a kept-alive connection just as a POST
     * arrives on it, the client gets a 502 and the upstream has seen the POST once (a bodiless GET would be retried).
     */
    @Test
    void post_onAKeptAliveConnectionTheUpstreamCloses_isNotRetried() throws Exception {
        java.util.concurrent.atomic.AtomicInteger posts = new java.util.concurrent.atomic.AtomicInteger();
        try (ServerSocket closing = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Future<?> serving = bounded.submit(() -> {
                try {
                    while (true) {
                        Socket s = closing.accept();
                        bounded.submit(() -> {
                            try (s) {
                                InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                                while (true) {
                                    String line = RawHttp.readLine(in);
                                    while (!RawHttp.readLine(in).isEmpty()) {
                                        // Fields, unread by this upstream.
                                    }
                                    if (line.startsWith("POST")) {
                                        // Closed as the POST arrives, as an app's keep-alive timeout can.
                                        posts.incrementAndGet();
                                        return null;
                                    }
                                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                                            .getBytes(StandardCharsets.US_ASCII));
                                    s.getOutputStream().flush();
                                }
                            }
                        });
                    }
                } catch (IOException closed) {
                    return null;
                }
            });
            List<String> headers = List.of("X-Access-Token: " + TOKEN);
            String target = route(SANDBOX, closing.getLocalPort(), "/once");
            assertThat(RawHttp.exchange(gateway, "GET", target, headers, null).status()).isEqualTo(200);
            RawHttp.RawResponse r = RawHttp.exchange(gateway, "POST", target, headers,
                    "pay once".getBytes(StandardCharsets.US_ASCII));

            assertGatewayError(r, 502, "upstream_unreachable");
            assertThat(posts.get()).as("POSTs the upstream saw").isEqualTo(1);
            serving.cancel(true);
        }
    }

    /**
     * An upload to an upstream that does not read holds the client back: its writes block once the socket buffers on
     * the way are full, instead of the gateway taking the body into its heap. When the upstream reads again, the
     * whole body arrives.
     */
    @Test
    void upload_toAnUpstreamThatDoesNotRead_blocksTheClient() throws Exception {
        long size = 256L * MiB;
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (ServerSocket stalled = new ServerSocket()) {
            stalled.setReceiveBufferSize(64 * 1024);
            stalled.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
            Future<Long> received = bounded.submit(() -> {
                try (Socket s = stalled.accept()) {
                    InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                    while (!RawHttp.readLine(in).isEmpty()) {
                        // The request head.
                    }
                    release.get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
                    long n = 0;
                    byte[] buf = new byte[64 * 1024];
                    int r;
                    while (n < size && (r = in.read(buf)) > 0) {
                        n += r;
                    }
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    return n;
                }
            });
            try (Socket client = RawHttp.connect(gateway)) {
                client.setSendBufferSize(64 * 1024);
                OutputStream out = client.getOutputStream();
                out.write(("PUT " + route(SANDBOX, stalled.getLocalPort(), "/upload") + " HTTP/1.1\r\nHost: "
                        + gateway.getHost() + ":" + gateway.getPort() + "\r\nX-Access-Token: " + TOKEN
                        + "\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
                Future<?> writing = bounded.submit(() -> {
                    byte[] piece = new byte[64 * 1024];
                    for (long left = size; left > 0; left -= piece.length) {
                        out.write(piece, 0, (int) Math.min(piece.length, left));
                        written.addAndGet(Math.min(piece.length, left));
                    }
                    out.flush();
                    return null;
                });
                long plateau = -1;
                for (int i = 0; i < 50 && plateau != written.get(); i++) {
                    plateau = written.get();
                    Thread.sleep(300);
                }
                assertThat(writing).as("the client's writes block while the upstream does not read").isNotDone();
                // Socket buffers on loopback (client, gateway both ways, upstream) hold a few MiB each at most.
                assertThat(written.get()).as("bytes the client could send").isPositive().isLessThan(64L * MiB);
                release.complete(null);
                writing.get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
                RawHttp.RawResponse r = RawHttp.read(new java.io.BufferedInputStream(client.getInputStream()), RawHttp.Reading.STRICT);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(received.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(size);
            }
        } finally {
            release.complete(null);
        }
    }

    /**
     * An {@code https://} upstream (the API-server mode's shape): the connector's TLS context is used and the
     * upstream's name is verified; requests with and without a body pass as over plain HTTP.
     */
    @Test
    void httpsUpstream_passesRequestsAndBodies() throws Exception {
        URI base = URI.create(gateway + route(TLS, upstream.tlsPort(), ""));
        HttpResponse<byte[]> get = send(HttpRequest.newBuilder(URI.create(base + "/echo/tls?x=1"))
                .header("X-Access-Token", TLS_TOKEN).GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get.body()).path("query").asText()).isEqualTo("x=1");

        byte[] payload = TestData.bytes(3 * MiB, 21);
        HttpResponse<byte[]> put = send(HttpRequest.newBuilder(URI.create(base + "/stream/tls"))
                .header("X-Access-Token", TLS_TOKEN).PUT(HttpRequest.BodyPublishers.ofByteArray(payload)));
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(TestData.sha256(put.body())).isEqualTo(TestData.sha256(payload));
    }

    /** A chunked upstream response with trailers must arrive intact, trailers included where the container can. */
    @Test
    void chunkedDownloadWithTrailers_arrivesIntact() throws Exception {
        int size = 3 * MiB + 17;
        RawHttp.RawResponse r = raw("GET", "/download?bytes=" + size + "&seed=9&chunked=1&trailers=1",
                List.of("X-Access-Token: " + TOKEN, "TE: trailers"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize(size);
        assertThat(TestData.sha256(r.body())).isEqualTo(TestData.sha256(size, 9));
        if (!variant.has(GatewayVariant.Limit.NO_TRAILERS)) {
            assertThat(r.trailers()).as("trailers of " + r).containsKey("x-sha256");
            assertThat(r.trailers().get("x-sha256")).containsExactly(TestData.sha256(size, 9));
        }
    }

    /**
     * The trailer fields of a chunked request follow its body upstream, filtered as headers are: the gateway's
     * credential and fields that only mean something in a head never cross.
     */
    @Test
    void chunkedUploadWithTrailers_passesTheTrailersButNoCredential() throws Exception {
        try (ServerSocket scripted = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Future<String> seen = bounded.submit(() -> {
                try (Socket s = scripted.accept()) {
                    s.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
                    InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                    RawHttp.readLine(in);
                    boolean chunked = false;
                    for (String line; !(line = RawHttp.readLine(in)).isEmpty(); ) {
                        chunked |= line.toLowerCase(Locale.ROOT).matches("transfer-encoding:\\s*chunked");
                    }
                    StringBuilder body = new StringBuilder();
                    for (int size; (size = Integer.parseInt(RawHttp.readLine(in).trim(), 16)) > 0; ) {
                        body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                        RawHttp.readLine(in);
                    }
                    List<String> trailers = new ArrayList<>();
                    for (String line; !(line = RawHttp.readLine(in)).isEmpty(); ) {
                        trailers.add(line.toLowerCase(Locale.ROOT));
                    }
                    String answer = "chunked=" + chunked + " body=" + body + " trailers=" + trailers;
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length()
                            + "\r\nConnection: close\r\n\r\n" + answer).getBytes(StandardCharsets.ISO_8859_1));
                    return answer;
                }
            });
            try (Socket client = RawHttp.connect(gateway)) {
                client.getOutputStream().write(("POST " + route(SANDBOX, scripted.getLocalPort(), "/trailers")
                        + " HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort()
                        + "\r\nX-Access-Token: " + TOKEN + "\r\nTransfer-Encoding: chunked\r\nConnection: close"
                        + "\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\nX-Access-Token: " + TOKEN
                        + "\r\nCookie: liteboxd_token=" + TOKEN + "\r\nContent-Length: 99\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                RawHttp.RawResponse r = RawHttp.read(new java.io.BufferedInputStream(client.getInputStream()),
                        RawHttp.Reading.STRICT);

                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                String answer = seen.get(RawHttp.READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                // Tomcat passes only the trailer names its connector lists (allowedTrailerHeaders, set by its test;
                // the Spring Boot example lists none): no credential crosses either way.
                assertThat(answer).isEqualTo("chunked=true body=hello world trailers="
                        + (variant.has(GatewayVariant.Limit.NO_REQUEST_TRAILERS) ? "[]" : "[x-checksum: abc]"));
            }
        }
    }

    /**
     * Response trailers reach the client filtered as headers are: a field a trailer must not carry (here a cookie)
     * is dropped, the others arrive where the container sends trailers at all.
     */
    @Test
    void responseTrailers_areFilteredAsHeadersAre() throws Exception {
        try (ServerSocket scripted = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Future<?> serving = bounded.submit(() -> {
                try (Socket s = scripted.accept()) {
                    s.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
                    InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                    while (!RawHttp.readLine(in).isEmpty()) {
                        // The request line and fields.
                    }
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                            + "Trailer: X-Sum, Set-Cookie\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n"
                            + "X-Sum: 42\r\nSet-Cookie: sneaky=1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    return null;
                }
            });
            RawHttp.RawResponse r = RawHttp.exchange(gateway, "GET", route(SANDBOX, scripted.getLocalPort(), "/t"),
                    List.of("X-Access-Token: " + TOKEN, "TE: trailers"), null);

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
            assertThat(r.trailers()).doesNotContainKey("set-cookie");
            assertThat(r.headers().getOrDefault("set-cookie", List.of())).noneMatch(c -> c.contains("sneaky"));
            if (!variant.has(GatewayVariant.Limit.NO_TRAILERS)) {
                assertThat(r.trailers().get("x-sum")).as(r.toString()).containsExactly("42");
            }
            serving.get(RawHttp.READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Server-sent events: each event must reach the client when the upstream sends it, not when more arrives. */
    @Test
    void streamedEvents_reachTheClientAsTheyAreSent() throws Exception {
        String probe = probe();
        try (java.net.Socket socket = new java.net.Socket(gateway.getHost(), gateway.getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            String request = "GET " + route(SANDBOX, upstream.port(), "/events?probe=" + probe) + " HTTP/1.1\r\n"
                    + "Host: " + gateway.getHost() + ":" + gateway.getPort() + "\r\nX-Access-Token: " + TOKEN
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            // Without the first event the upstream never sends the second: a buffering relay ends in a read timeout.
            assertThat(readUntil(in, "data: first")).startsWith("HTTP/1.1 200");
            Upstream.releaseEvents(probe);
            assertThat(readUntil(in, "data: second")).contains("data: second");
        }
    }

    private static String readUntil(java.io.InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        while (seen.indexOf(marker) < 0) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("stream ended before " + marker + ": " + seen);
            }
            seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return seen.toString();
    }

    @Test
    void query_reachesUpstreamByteForByte() throws Exception {
        String query = "a=1&b=%20x%2F&c=%E2%9C%93&d=&e&a=2&plus=a+b&tilde=%7E&lower=%c3%a9";
        JsonNode echo = rawEcho("/echo/q?" + query);

        assertThat(echo.path("path").asText()).isEqualTo("/echo/q");
        assertThat(echo.path("query").asText()).isEqualTo(query);
    }

    @Test
    void encodedPath_reachesUpstreamByteForByte() throws Exception {
        // Encoded space, UTF-8 in upper and lower-case hex, an encoded unreserved '~', and reserved sub-delims:
        // a relay that decodes and re-encodes changes at least one of them.
        String path = "/echo/p/c%20d/%C3%A9t%c3%a9/%7Euser/a+b/@x:y,z";
        JsonNode echo = rawEcho(path);

        assertThat(echo.path("path").asText()).isEqualTo(path);
    }

    /** Needs the container to let {@code %2F} through undecoded; see each container module for its setting. */
    @Test
    void encodedSlash_reachesUpstreamByteForByte() throws Exception {
        String path = "/echo/s/a%2Fb/c%2fd%2F";
        JsonNode echo = rawEcho(path + "?k=%2F");

        assertThat(echo.path("path").asText()).isEqualTo(path);
        assertThat(echo.path("query").asText()).isEqualTo("k=%2F");
    }

    @Test
    void accessToken_neverReachesUpstream_http() throws Exception {
        // Header names are case-insensitive: an odd spelling must still authenticate and still be stripped.
        RawHttp.RawResponse r = raw("GET", "/echo/token",
                List.of("x-ACCESS-token: " + TOKEN, "X-Client-Trace: token-1"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(headerNames(echo)).doesNotContain("x-access-token");
        assertThat(r.bodyText()).doesNotContain(TOKEN);
        assertThat(header(echo, "x-client-trace")).containsExactly("token-1");
    }

    @Test
    void hopByHopRequestHeaders_areDropped() throws Exception {
        RawHttp.RawResponse r = raw("GET", "/echo/hop", List.of(
                "X-Access-Token: " + TOKEN,
                "Connection: keep-alive, X-Hop-Custom",
                "X-Hop-Custom: must-not-pass",
                "Keep-Alive: timeout=5",
                "Proxy-Connection: keep-alive",
                "Proxy-Authorization: Basic Zm9vOmJhcg==",
                "X-End-To-End: kept"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(headerNames(echo)).doesNotContain("x-hop-custom", "keep-alive", "proxy-connection",
                "proxy-authorization");
        assertThat(header(echo, "connection")).noneSatisfy(v -> assertThat(v.toLowerCase()).contains("x-hop-custom"));
        assertThat(header(echo, "x-end-to-end")).containsExactly("kept");
    }

    @Test
    void hopByHopResponseHeaders_areDropped() throws Exception {
        RawHttp.RawResponse r = raw("GET", "/hop", List.of("X-Access-Token: " + TOKEN));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("hop");
        assertThat(r.headers()).doesNotContainKey("x-up-hop");
        // The container may send its own Keep-Alive (Tomcat does); the upstream's must not leak through.
        assertThat(r.headers().getOrDefault("keep-alive", List.of())).noneMatch(v -> v.contains("timeout=99"));
        assertThat(r.headers().getOrDefault("connection", List.of()))
                .noneMatch(v -> v.toLowerCase().contains("x-up-hop"));
        assertThat(r.header("X-Up-End")).isEqualTo("kept");
    }

    /**
     * An app answering {@code 101} to a request that asked for no upgrade must not make the client (or a proxy in
     * front of the gateway) treat the connection as a tunnel: 502, on the pooled leg (GET) and the
     * AsyncProxyServlet leg (POST).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void upstreamSwitchingProtocols_onAPlainRequest_is502(String method) throws Exception {
        try (ServerSocket switcher = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            bounded.submit(() -> {
                while (!switcher.isClosed()) {
                    Socket s = switcher.accept();
                    InputStream in = s.getInputStream();
                    readHead(in);
                    s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: tunnel\r\n"
                            + "Connection: Upgrade\r\n\r\nraw bytes after the switch\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                return null;
            });
            byte[] body = method.equals("POST") ? "x=1".getBytes(StandardCharsets.US_ASCII) : null;
            RawHttp.RawResponse r = RawHttp.exchange(gateway, method, route(SANDBOX, switcher.getLocalPort(), "/x"),
                    List.of("X-Access-Token: " + TOKEN), body);

            assertGatewayError(r, 502, "upstream_unreachable");
            assertThat(r.bodyText()).doesNotContain("raw bytes");
        }
    }

    /**
     * A small answer's body is gathered in a buffer of its announced length: a length the upstream framed ambiguously
     * (beside chunked framing, twice with different values) or not as a number never gets that far, it is the
     * upstream's failure.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Length: 5\r\nTransfer-Encoding: chunked",
            "Content-Length: 5\r\nContent-Length: 7", "Content-Length: five",
            "Content-Length: 99999999999999999999", "Content-Length: -5"})
    void smallAnswer_withAMalformedOrAmbiguousLength_is502(String framing) throws Exception {
        try (ServerSocket framer = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Future<?> served = answerOnce(framer, "HTTP/1.1 200 OK\r\n" + framing + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            RawHttp.RawResponse r = RawHttp.exchange(gateway, "GET",
                    route(SANDBOX, framer.getLocalPort(), "/framing"), List.of("X-Access-Token: " + TOKEN), null);

            assertGatewayError(r, 502, "upstream_unreachable");
            assertThat(r.bodyText()).doesNotContain("hello");
            served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * A small answer of known length whose body comes in two pieces is still gathered and sent whole, with its length,
     * not split into chunks.
     */
    @Test
    void smallAnswer_inTwoPieces_keepsItsLength() throws Exception {
        try (ServerSocket slow = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Future<?> served = bounded.submit(() -> {
                try (Socket s = slow.accept()) {
                    s.setSoTimeout((int) WAIT.toMillis());
                    readHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(200);
                    out.write("world".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                return null;
            });
            RawHttp.RawResponse r = RawHttp.exchange(gateway, "GET",
                    route(SANDBOX, slow.getLocalPort(), "/pieces"), List.of("X-Access-Token: " + TOKEN), null);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("10");
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.bodyText()).isEqualTo("helloworld");
            served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Response headers whose effect spans the whole origin, which every sandbox shares on path routes, never come
     * from a sandbox; a Service Worker scope is confined under the sandbox port; the container's {@code Date} is the
     * only one.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST", "HEAD"})
    void originWideResponseHeaders_neverReachTheClient_onPathRoutes(String method) throws Exception {
        String query = "?header=Clear-Site-Data:%22cookies%22&header=NEL:%7B%7D&header=Report-To:%7B%7D"
                + "&header=Reporting-Endpoints:a%3D%22https://x/%22&header=Service-Worker-Allowed:/"
                + "&header=Set-Cookie:liteboxd_token%3Dplanted&header=Set-Cookie:app%3D1&header=Set-Cookie:app2%3D2"
                + "&header=Date:Mon,%2001%20Jan%201990%2000:00:00%20GMT";
        byte[] body = method.equals("POST") ? "x=1".getBytes(StandardCharsets.US_ASCII) : null;
        RawHttp.RawResponse r = RawHttp.exchange(gateway, method, route(SANDBOX, upstream.port(), "/echo/sw" + query),
                List.of("X-Access-Token: " + TOKEN), body);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.headers()).as(r.toString()).doesNotContainKeys("clear-site-data", "nel", "report-to",
                "reporting-endpoints");
        assertThat(r.headers().get("service-worker-allowed")).as(r.toString())
                .containsExactly(route(SANDBOX, upstream.port(), "/"));
        assertThat(r.headers().get("set-cookie")).as(r.toString()).hasSize(2)
                .noneMatch(v -> v.contains("liteboxd_token"));
        assertThat(r.headers().get("date")).as(r.toString()).hasSize(1)
                .noneMatch(v -> v.contains("1990"));
    }

    /**
     * What a client claims about the path its request took, identities it asserts, and the gateway's credential in
     * a {@code Referer} never reach the sandbox; the gateway's own forwarding headers do.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void clientClaimsAndRefererCredentials_neverReachTheUpstream_http(String method) throws Exception {
        byte[] body = method.equals("POST") ? "x=1".getBytes(StandardCharsets.US_ASCII) : null;
        RawHttp.RawResponse r = RawHttp.exchange(gateway, method, route(SANDBOX, upstream.port(), "/echo/claims"),
                List.of("X-Access-Token: " + TOKEN, "Forwarded: for=6.6.6.6;host=evil", "X-Real-IP: 6.6.6.6",
                        "X-Forwarded-Host: evil.example", "X-Forwarded-Prefix: /evil", "Impersonate-User: admin",
                        "Impersonate-Group: system:masters", "X-Remote-User: admin",
                        "Referer: http://gw" + route(SANDBOX, upstream.port(), "/?a=1&liteboxd_token=" + TOKEN
                                + "&liteboxd_share=1.sig")), body);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(headerNames(echo)).doesNotContain("forwarded", "x-real-ip", "impersonate-user",
                "impersonate-group", "x-remote-user");
        assertThat(header(echo, "referer")).containsExactly("http://gw" + route(SANDBOX, upstream.port(), "/?a=1"));
        assertThat(r.bodyText()).doesNotContain(TOKEN).doesNotContain("evil");
        assertForwardedHeaders(headersOf(echo));
    }

    /**
     * A sandbox port configured to keep the prefix gets the whole path as the client sent it, no
     * {@code X-Forwarded-Prefix} (it knows its base already), and, with Host preservation, the client's {@code Host};
     * its own prefixed {@code Location} and cookie paths come back unchanged.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void keepPrefixPort_getsTheWholePathAndTheClientsHost_http(String method) throws Exception {
        String mount = route(KEEP, upstream.port(), "");
        String query = "?a=%2F&header=Location:" + mount + "/login&header=Set-Cookie:s%3D1%3B%20Path%3D" + mount + "/";
        byte[] body = method.equals("POST") ? "x=1".getBytes(StandardCharsets.US_ASCII) : null;
        RawHttp.RawResponse r = RawHttp.exchange(gateway, method, mount + "/echo/a%2Fb" + query,
                List.of("X-Access-Token: " + KEEP_TOKEN), body);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r.body());
        assertThat(echo.path("path").asText()).isEqualTo(mount + "/echo/a%2Fb");
        assertThat(headerNames(echo)).doesNotContain("x-forwarded-prefix");
        assertThat(header(echo, "host")).containsExactly(gateway.getHost() + ":" + gateway.getPort());
        assertThat(r.header("Location")).isEqualTo(mount + "/login");
        assertThat(r.headers().get("set-cookie")).containsExactly("s=1; Path=" + mount + "/");
    }

    @Test
    void forwardedHeaders_areSet_http() throws Exception {
        HttpResponse<byte[]> r = send(request("/echo/fwd").GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertForwardedHeaders(headersOf(json(r.body())));
    }

    @Test
    void upstreamDown_http_answers502() throws Exception {
        int closed = closedPort();
        RawHttp.RawResponse r = RawHttp.exchange(gateway, "GET", route(SANDBOX, closed, "/echo/down"),
                List.of("X-Access-Token: " + TOKEN), null);

        assertGatewayError(r, 502, "upstream_unreachable");
    }

    /**
     * A streamed (chunked) answer that the upstream cuts off must not reach the client as a complete one: the
     * gateway ends the client's connection without the terminating chunk, as nginx does, so a truncated download
     * is not taken for a whole file. Where it cannot (a {@link GatewayVariant.Limit#NO_STREAM_CUT_OFF} container), what arrived is still intact.
     */
    @Test
    void chunkedAnswerCutOffByTheUpstream_isNotPresentedAsComplete() throws Exception {
        try (ServerSocket cutting = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Future<?> served = bounded.submit(() -> {
                try (Socket s = cutting.accept()) {
                    readHead(s.getInputStream());
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(200);
                    s.setSoLinger(true, 0);
                }
                return null;
            });
            try (Socket client = new Socket(InetAddress.getByName("127.0.0.1"), gateway.getPort())) {
                client.setSoTimeout((int) WAIT.toMillis());
                client.getOutputStream().write(("GET " + route(SANDBOX, cutting.getLocalPort(), "/cut")
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Access-Token: " + TOKEN + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                String seen = readUntilClosedOrComplete(client.getInputStream());
                assertThat(seen).startsWith("HTTP/1.1 200");
                String body = seen.substring(seen.indexOf("\r\n\r\n") + 4);
                assertThat(dechunk(body)).isEqualTo("hello");
                assertThat(Integer.parseInt(body.substring(0, body.indexOf("\r\n")).trim(), 16))
                        .as("size of the first chunk: the upstream's relayed as one (Jetty's output once split it a byte"
                                + " per chunk): " + body)
                        .isEqualTo(5);
                assertThat(body.endsWith("0\r\n\r\n"))
                        .as("a terminating chunk presents the cut body as complete: " + body)
                        .isEqualTo(variant.has(GatewayVariant.Limit.NO_STREAM_CUT_OFF));
            }
            served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * An upstream response head larger than any container sends on is the upstream's failure: a 502 JSON error on
     * both HTTP legs (POST goes through Jetty's proxy servlet, GET through the pooled relay), never the container's
     * error page (which would echo the request URI, token included) and never a 200 in the access log.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "GET"})
    void upstreamResponseHeadTooLarge_answers502Json_andEchoesNothing(String method) throws Exception {
        try (ServerSocket huge = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Future<?> served = answerOnce(huge, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Huge: "
                    + "h".repeat(64 * 1024) + "\r\nContent-Length: 2\r\n\r\nok");
            String target = route(SANDBOX, huge.getLocalPort(), "/huge-head?secret-marker=1");
            RawHttp.RawResponse r = RawHttp.exchange(gateway, method, target,
                    List.of("X-Access-Token: " + TOKEN), method.equals("POST")
                            ? "body".getBytes(StandardCharsets.US_ASCII) : null);

            assertGatewayError(r, 502, "upstream_unreachable");
            assertThat(r.bodyText()).doesNotContain("huge-head").doesNotContain("secret-marker");
            served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Serves one connection of {@code upstream}: reads the request head, writes {@code answer} and holds the
     * connection until the gateway lets go (a close here could race the gateway's reading of the head).
     */
    private Future<?> answerOnce(ServerSocket upstream, String answer) {
        return bounded.submit(() -> {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout((int) WAIT.toMillis());
                readHead(s.getInputStream());
                s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                s.getInputStream().read(new byte[1024]);
            } catch (SocketException e) {
                // the gateway reset the connection it gave up on
            }
            return null;
        });
    }

    /** The data of the whole chunks in {@code body}, however the gateway split it. */
    private static String dechunk(String body) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            if (eol < 0) {
                return data.toString();
            }
            int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            if (size == 0 || eol + 2 + size > body.length()) {
                return data.toString();
            }
            data.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    /** What arrives until the gateway closes (or resets) the connection, or a terminating chunk shows up. */
    private static String readUntilClosedOrComplete(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                seen.write(buf, 0, n);
                if (seen.toString(StandardCharsets.ISO_8859_1).contains("\r\n0\r\n\r\n")) {
                    break;
                }
            }
        } catch (SocketException e) {
            // a reset is as good a way as a close to cut the client off
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Admission: refused before any upstream is dialled, on HTTP and on the WebSocket handshake
    // ---------------------------------------------------------------------------------------------------------

    /** One way a request is refused at the gateway; the path is built for a sentinel upstream's port. */
    protected enum Refusal {
        TOKEN_MISSING(p -> route(SANDBOX, p, "/echo/x"), List.of(), 401, "token_missing"),
        TOKEN_EMPTY(p -> route(SANDBOX, p, "/echo/x"), List.of("X-Access-Token: "), 401, "token_missing"),
        TOKEN_WRONG(p -> route(SANDBOX, p, "/echo/x"), List.of("X-Access-Token: nope"), 401, "token_invalid"),
        TOKEN_OF_OTHER_SANDBOX(p -> route(SANDBOX, p, "/echo/x"), List.of("X-Access-Token: " + PORTS_TOKEN),
                401, "token_invalid"),
        TOKEN_TWICE(p -> route(SANDBOX, p, "/echo/x"),
                List.of("X-Access-Token: " + TOKEN, "X-Access-Token: " + TOKEN), 400, "bad_request"),
        SANDBOX_UNKNOWN(p -> route(GHOST, p, "/echo/x"), List.of("X-Access-Token: " + GHOST_TOKEN),
                404, "sandbox_not_found"),
        SANDBOX_NOT_READY(p -> route(NOT_READY, p, "/echo/x"), List.of("X-Access-Token: " + NOT_READY_TOKEN),
                503, "sandbox_not_ready"),
        PORT_NOT_ALLOWED(p -> route(PORTS, p, "/echo/x"), List.of("X-Access-Token: " + PORTS_TOKEN),
                403, "port_forbidden"),
        ROUTE_PORT_ZERO(p -> PREFIX + "/" + SANDBOX + "/port/0/echo/x", List.of("X-Access-Token: " + TOKEN),
                400, "route_invalid"),
        ROUTE_PORT_NOT_NUMBER(p -> PREFIX + "/" + SANDBOX + "/port/http/echo/x", List.of("X-Access-Token: " + TOKEN),
                400, "route_invalid"),
        ROUTE_UPPER_CASE_ID(p -> PREFIX + "/SB1/port/" + p + "/echo/x", List.of("X-Access-Token: " + TOKEN),
                400, "route_invalid"),
        ROUTE_NO_PORT_SEGMENT(p -> PREFIX + "/" + SANDBOX + "/echo/x", List.of("X-Access-Token: " + TOKEN),
                400, "route_invalid");

        final IntFunction<String> path;
        final List<String> headers;
        final int status;
        final String code;

        Refusal(IntFunction<String> path, List<String> headers, int status, String code) {
            this.path = path;
            this.headers = headers;
            this.status = status;
            this.code = code;
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(Refusal.values()).flatMap(r -> Stream.of(Arguments.of(r, false), Arguments.of(r, true)));
    }

    @ParameterizedTest(name = "{0} websocket={1}")
    @MethodSource("refusals")
    void admissionRefusal_answersJsonError_andNeverDialsUpstream(Refusal refusal, boolean webSocket) throws Exception {
        try (Upstream sentinel = Upstream.start()) {
            String target = refusal.path.apply(sentinel.port());
            RawHttp.RawResponse r = webSocket
                    ? RawHttp.webSocketHandshake(gateway, target + "/ws/echo", refusal.headers)
                    : RawHttp.exchange(gateway, "GET", target, refusal.headers, null);

            assertGatewayError(r, refusal.status, refusal.code);
            assertThat(sentinel.acceptedConnections()).as("connections accepted by the upstream").isZero();
        }
    }

    /** The positive control for the test above: the sentinel does count a connection the gateway makes. */
    @Test
    void sentinelUpstream_countsTheGatewaysConnection() throws Exception {
        try (Upstream sentinel = Upstream.start()) {
            RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway,
                    route(SANDBOX, sentinel.port(), "/ws/echo"), List.of("X-Access-Token: " + TOKEN));

            assertThat(r.status()).as(r.toString()).isEqualTo(101);
            assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo(RawHttp.expectedAccept(RawHttp.WEBSOCKET_KEY));
            assertThat(sentinel.acceptedConnections()).isEqualTo(1);
        }
    }
}
