package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.Gateway.UriProfile.ENCODED_SLASH;
import static io.liteboxd.proxy.reliability.support.Gateway.UriProfile.JETTY_DEFAULT;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.LOCKED_ID;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.LOCKED_TOKEN;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.OTHER_TOKEN;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.SLEEPY_ID;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.SLEEPY_TOKEN;
import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.reliability.support.ErrorBodies;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.reliability.support.Gateway.UriProfile;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawHttp.Request;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests on raw sockets, each with the exact answer expected, against the gateway in three Jetty URI
 * profiles (what Jetty checks before the servlet runs differs, so who answers differs; see {@link UriProfile}).
 *
 * <p>For every case and profile: an answer arrives within the read bound (no hang), it is never a 101, a 2xx or a
 * 500, its body carries no stack trace, and the upstream sees neither a TCP connection nor a request. Where the
 * library answers, the body is its JSON error with the stable code; where Jetty answers first, the case says so,
 * and the test checks that it really was Jetty (no JSON error body) so that a change of layer is noticed.
 *
 * <p>Every outcome is also written to {@code target/reliability-logs/bad-input.tsv} for docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    enum Layer { SERVLET, CONTAINER }

    /** An expected answer: from the library (status + code) or from Jetty (status only, not our JSON). */
    record Expect(Layer layer, int status, String code) {
        static Expect servlet(int status, String code) {
            return new Expect(Layer.SERVLET, status, code);
        }

        static Expect container(int status) {
            return new Expect(Layer.CONTAINER, status, null);
        }

        @Override
        public String toString() {
            return layer == Layer.SERVLET ? status + " " + code : status + " (Jetty)";
        }
    }

    /** One hostile request; {@code P} in targets is replaced by the upstream's port. */
    static final class Case {
        final String group;
        final String name;
        final IntFunction<Request> request;
        final Map<UriProfile, Expect> expect = new EnumMap<>(UriProfile.class);

        Case(String group, String name, IntFunction<Request> request, Expect everywhere) {
            this.group = group;
            this.name = name;
            this.request = request;
            for (UriProfile p : UriProfile.values()) {
                expect.put(p, everywhere);
            }
        }

        /** Jetty answers first in these profiles (all three when none are given). */
        Case jetty(int status, UriProfile... profiles) {
            Set<UriProfile> in = profiles.length == 0 ? EnumSet.allOf(UriProfile.class) : EnumSet.of(profiles[0], profiles);
            for (UriProfile p : in) {
                expect.put(p, Expect.container(status));
            }
            return this;
        }

        @Override
        public String toString() {
            return group + ": " + name;
        }
    }

    private static final String B = "/api/v1/sandbox/sbx-main/port/";

    private final Map<UriProfile, Gateway> gateways = new EnumMap<>(UriProfile.class);
    private final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private Upstream upstream;

    @BeforeAll
    void start() throws Exception {
        upstream = Upstream.start();
        TestSandboxes sandboxes = TestSandboxes.create(upstream.port() + 1);
        for (UriProfile p : UriProfile.values()) {
            gateways.put(p, Gateway.builder().sandboxes(sandboxes).uriProfile(p)
                    .config(ProxyConfig.builder().connectTimeout(Duration.ofSeconds(2)).build()).start());
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (Gateway g : gateways.values()) {
            g.close();
        }
        upstream.close();
        List<String> lines = new ArrayList<>(outcomes.values());
        lines.sort(null);
        lines.add(0, "case\tprofile\tstatus\tlayer\tcode");
        Path dir = Path.of(System.getProperty("reliability.logDir", "target/reliability-logs"));
        Files.createDirectories(dir);
        Files.write(dir.resolve("bad-input.tsv"), lines);
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        IntFunction<String> b = p -> B + p;

        // ---- sandbox ids: validated before authentication, so a valid token does not help ----
        c.add(route("id", "empty", p -> "/api/v1/sandbox//port/" + p + "/").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("id", "upper case", p -> "/api/v1/sandbox/SBX-MAIN/port/" + p + "/"));
        c.add(route("id", "leading hyphen", p -> "/api/v1/sandbox/-sbx/port/" + p + "/"));
        c.add(route("id", "trailing hyphen", p -> "/api/v1/sandbox/sbx-/port/" + p + "/"));
        c.add(route("id", "underscore", p -> "/api/v1/sandbox/sbx_main/port/" + p + "/"));
        c.add(route("id", "dot", p -> "/api/v1/sandbox/sbx.main/port/" + p + "/"));
        c.add(route("id", "64 characters", p -> "/api/v1/sandbox/" + "a".repeat(64) + "/port/" + p + "/"));
        c.add(route("id", "4000 characters", p -> "/api/v1/sandbox/" + "a".repeat(4000) + "/port/" + p + "/"));
        c.add(route("id", "percent-encoded letter", p -> "/api/v1/sandbox/%73bx-main/port/" + p + "/"));
        c.add(route("id", "raw UTF-8", p -> "/api/v1/sandbox/sbx-caf\u00c3\u00a9/port/" + p + "/").jetty(400));
        c.add(route("id", "encoded UTF-8", p -> "/api/v1/sandbox/sbx-caf%C3%A9/port/" + p + "/"));
        c.add(route("id", "encoded space", p -> "/api/v1/sandbox/sbx%20main/port/" + p + "/"));
        c.add(route("id", "encoded slash", p -> "/api/v1/sandbox/sbx%2Fmain/port/" + p + "/").jetty(400, JETTY_DEFAULT));
        c.add(route("id", "path parameter", p -> "/api/v1/sandbox/sbx-main;x=1/port/" + p + "/"));
        // Jetty resolves the dot-segment first; the result is outside the servlet mapping.
        c.add(route("id", "dot-dot as id", p -> "/api/v1/sandbox/../port/" + p + "/").jetty(404));
        c.add(route("route", "no /port/ segment", p -> "/api/v1/sandbox/sbx-main"));
        c.add(route("route", "ports instead of port", p -> "/api/v1/sandbox/sbx-main/ports/" + p + "/"));
        c.add(route("route", "prefix and slash only", p -> "/api/v1/sandbox/"));
        c.add(route("route", "prefix only", p -> "/api/v1/sandbox"));
        c.add(new Case("route", "other prefix", p -> Request.get("/api/v2/sandbox/sbx-main/port/" + p + "/").token(TOKEN),
                Expect.container(404)));

        // ---- ports ----
        c.add(route("port", "0", p -> B + "0/echo"));
        c.add(route("port", "65536", p -> B + "65536/echo"));
        c.add(route("port", "-1", p -> B + "-1/echo"));
        c.add(route("port", "+80", p -> B + "+80/echo"));
        c.add(route("port", "leading zero 080", p -> B + "080/echo"));
        c.add(route("port", "80abc", p -> B + "80abc/echo"));
        c.add(route("port", "20 digits", p -> B + "99999999999999999999/echo"));
        c.add(route("port", "empty", p -> B + "/echo").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("port", "percent-encoded digits", p -> B + "%38%30/echo"));
        c.add(route("port", "80.0", p -> B + "80.0/echo"));
        c.add(route("port", "hex 0x50", p -> B + "0x50/echo"));
        c.add(route("port", "encoded leading space", p -> B + "%2080/echo"));
        c.add(new Case("port", "not in the sandbox's allow-list",
                p -> Request.get("/api/v1/sandbox/" + LOCKED_ID + "/port/" + p + "/echo").token(LOCKED_TOKEN),
                Expect.servlet(403, "port_forbidden")));

        // ---- dot-segments: a valid token and a live upstream port, so a slip would reach the upstream ----
        c.add(route("dots", "trailing ..", p -> b.apply(p) + "/.."));
        c.add(route("dots", "../../../../etc/passwd", p -> b.apply(p) + "/../../../../etc/passwd").jetty(404));
        c.add(route("dots", "a/../../b", p -> b.apply(p) + "/a/../../b"));
        c.add(route("dots", "%2e%2e", p -> b.apply(p) + "/%2e%2e/x").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", "%2E%2E", p -> b.apply(p) + "/%2E%2E/x").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", ".%2e", p -> b.apply(p) + "/.%2e/x").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", "%2e.", p -> b.apply(p) + "/%2e./x").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", "..%2F", p -> b.apply(p) + "/..%2Fx").jetty(400, JETTY_DEFAULT));
        c.add(route("dots", "a%2F..%2F..%2Fx", p -> b.apply(p) + "/a%2F..%2F..%2Fx").jetty(400, JETTY_DEFAULT));
        c.add(route("dots", "..%5C", p -> b.apply(p) + "/..%5Cx").jetty(400));
        c.add(route("dots", "raw backslash ..\\", p -> b.apply(p) + "/..\\x").jetty(400));
        c.add(route("dots", "double-encoded %252e%252e", p -> b.apply(p) + "/%252e%252e/x").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", "double-encoded ..%252F", p -> b.apply(p) + "/..%252Fx").jetty(400, JETTY_DEFAULT, ENCODED_SLASH));
        c.add(route("dots", "path parameters ..;/..;", p -> b.apply(p) + "/a/..;/..;/x").jetty(400));

        // ---- control characters, raw and encoded ----
        // Jetty's parser and URI decoder refuse control characters, raw or encoded, in every profile; the library's own
        // check of encoded NUL/CR/LF is exercised by RouteParserFuzzTest instead.
        c.add(route("control", "raw NUL in path", p -> b.apply(p) + "/a\u0000b").jetty(400));
        c.add(route("control", "%00 in path", p -> b.apply(p) + "/a%00b").jetty(400));
        c.add(route("control", "%0d%0a in path", p -> b.apply(p) + "/a%0d%0aSet-Cookie:x").jetty(400));
        c.add(route("control", "%0A in path", p -> b.apply(p) + "/a%0Ab").jetty(400));
        c.add(route("control", "raw CR in path", p -> b.apply(p) + "/a\rb").jetty(400));
        // The LF ends the request line early: Jetty reads "b HTTP/1.1" as a header-less HTTP/0.9 leftover.
        c.add(route("control", "raw LF in path", p -> b.apply(p) + "/a\nb").jetty(505));
        c.add(route("control", "raw TAB in path", p -> b.apply(p) + "/a\tb").jetty(400));
        c.add(route("control", "raw DEL in path", p -> b.apply(p) + "/a\u007fb").jetty(400));
        c.add(route("control", "raw control byte in query", p -> b.apply(p) + "/echo?a=\u0001").jetty(400));
        c.add(hdr("control", "NUL in a header value", "X-Foo: a\u0000b", 400, "-"));
        c.add(hdr("control", "bare CR in a header value", "X-Foo: a\rb", 400, "-"));
        c.add(hdr("control", "obs-fold continuation line", "X-Foo: a\r\n b", 400, "-"));
        c.add(new Case("control", "space before the colon of X-Access-Token",
                p -> Request.get(b.apply(p) + "/echo").header("X-Access-Token : " + TOKEN), Expect.container(400)));
        c.add(new Case("control", "NUL inside the token",
                p -> Request.get(b.apply(p) + "/echo").header("X-Access-Token: " + TOKEN + "\u0000"),
                Expect.container(400)));

        // ---- tokens ----
        c.add(tok("missing", r -> r, 401, "token_missing"));
        c.add(tok("empty", r -> r.header("X-Access-Token:"), 401, "token_missing"));
        c.add(tok("whitespace only", r -> r.header("X-Access-Token:    "), 401, "token_missing"));
        c.add(tok("sent twice, same value", r -> r.token(TOKEN).token(TOKEN), 400, "bad_request"));
        c.add(tok("sent twice, names in other case", r -> r.header("x-access-token: " + TOKEN)
                .header("X-ACCESS-TOKEN: " + TOKEN), 400, "bad_request"));
        c.add(tok("sent twice, one empty", r -> r.header("X-Access-Token:").token(TOKEN), 400, "bad_request"));
        c.add(tok("comma-joined pair", r -> r.token(TOKEN + ", " + TOKEN), 401, "token_invalid"));
        c.add(tok("inner space", r -> r.token("tok-MAIN 7f3a9c1e5b2d4a6f8e0c"), 401, "token_invalid"));
        c.add(tok("another sandbox's token", r -> r.token(OTHER_TOKEN), 401, "token_invalid"));
        c.add(tok("quoted", r -> r.token("\"" + TOKEN + "\""), 401, "token_invalid"));
        c.add(tok("lower-cased", r -> r.token(TOKEN.toLowerCase()), 401, "token_invalid"));
        c.add(tok("prefix of the real one", r -> r.token(TOKEN.substring(0, 10)), 401, "token_invalid"));
        c.add(tok("6000 characters", r -> r.token("t".repeat(6000)), 401, "token_invalid"));
        c.add(tok("obs-text bytes", r -> r.token(TOKEN + "\u00ff\u00fe"), 401, "token_invalid"));
        c.add(new Case("token", "valid token, unknown sandbox (no probing of ids)",
                p -> Request.get("/api/v1/sandbox/nosuch/port/" + p + "/echo").token(TOKEN),
                Expect.servlet(401, "token_invalid")));
        c.add(new Case("token", "valid token, sandbox not ready",
                p -> Request.get("/api/v1/sandbox/" + SLEEPY_ID + "/port/" + p + "/echo").token(SLEEPY_TOKEN),
                Expect.servlet(503, "sandbox_not_ready")));

        // ---- sizes: Jetty's request header limit (8 KiB by default) answers first ----
        c.add(hdr("size", "one 20 KiB header", "X-Big: " + "b".repeat(20 * 1024), 431, "-"));
        c.add(new Case("size", "300 headers", p -> {
            Request r = Request.get(b.apply(p) + "/echo").token(TOKEN);
            for (int i = 0; i < 300; i++) {
                r.header("X-H" + i + ": " + "v".repeat(40));
            }
            return r;
        }, Expect.container(431)));
        c.add(new Case("size", "10 KiB request target", p -> Request.get(b.apply(p) + "/" + "u".repeat(10 * 1024))
                .token(TOKEN), Expect.container(414)));
        c.add(new Case("size", "12 KiB token", p -> Request.get(b.apply(p) + "/echo").token("t".repeat(12 * 1024)),
                Expect.container(431)));

        // ---- WebSocket handshakes ----
        c.add(ws("no Sec-WebSocket-Key", p -> wsBase(p, "GET", "HTTP/1.1").header("Sec-WebSocket-Version: 13")
                .token(TOKEN), 400, "bad_request"));
        c.add(ws("empty Sec-WebSocket-Key", p -> wsBase(p, "GET", "HTTP/1.1").header("Sec-WebSocket-Version: 13")
                .header("Sec-WebSocket-Key:").token(TOKEN), 400, "bad_request"));
        c.add(ws("Sec-WebSocket-Version 8", p -> wsBase(p, "GET", "HTTP/1.1").header("Sec-WebSocket-Version: 8")
                .header("Sec-WebSocket-Key: " + "dGhlIHNhbXBsZSBub25jZQ==").token(TOKEN), 400, "bad_request"));
        c.add(ws("no Sec-WebSocket-Version", p -> wsBase(p, "GET", "HTTP/1.1")
                .header("Sec-WebSocket-Key: " + "dGhlIHNhbXBsZSBub25jZQ==").token(TOKEN), 400, "bad_request"));
        c.add(ws("Sec-WebSocket-Version 13, 8", p -> wsBase(p, "GET", "HTTP/1.1")
                .header("Sec-WebSocket-Version: 13, 8").header("Sec-WebSocket-Key: " + "dGhlIHNhbXBsZSBub25jZQ==")
                .token(TOKEN), 400, "bad_request"));
        c.add(ws("Upgrade on POST", p -> Request.of("POST", b.apply(p) + "/ws/echo").webSocket().token(TOKEN)
                .body(new byte[0]), 400, "bad_request"));
        c.add(ws("Upgrade on HEAD", p -> Request.of("HEAD", b.apply(p) + "/ws/echo").webSocket().token(TOKEN),
                400, "bad_request"));
        c.add(ws("HTTP/1.0 GET upgrade", p -> Request.get(b.apply(p) + "/ws/echo").version("HTTP/1.0").webSocket()
                .token(TOKEN), 400, "bad_request"));
        c.add(ws("HTTP/1.0 POST upgrade", p -> Request.of("POST", b.apply(p) + "/ws/echo").version("HTTP/1.0")
                .webSocket().token(TOKEN).body(new byte[0]), 400, "bad_request"));
        c.add(ws("no token", p -> Request.get(b.apply(p) + "/ws/echo").webSocket(), 401, "token_missing"));
        c.add(ws("wrong token", p -> Request.get(b.apply(p) + "/ws/echo").webSocket().token(OTHER_TOKEN),
                401, "token_invalid"));
        c.add(ws("token twice", p -> Request.get(b.apply(p) + "/ws/echo").webSocket().token(TOKEN).token(TOKEN),
                400, "bad_request"));
        c.add(ws("bad port", p -> Request.get(B + "080/ws/echo").webSocket().token(TOKEN), 400, "route_invalid"));
        c.add(ws("dot-segments", p -> Request.get(b.apply(p) + "/../../ws/echo").webSocket().token(TOKEN),
                400, "route_invalid"));
        c.add(ws("port not allowed", p -> Request.get("/api/v1/sandbox/" + LOCKED_ID + "/port/" + p + "/ws/echo")
                .webSocket().token(LOCKED_TOKEN), 403, "port_forbidden"));
        c.add(ws("sandbox not ready", p -> Request.get("/api/v1/sandbox/" + SLEEPY_ID + "/port/" + p + "/ws/echo")
                .webSocket().token(SLEEPY_TOKEN), 503, "sandbox_not_ready"));
        c.add(ws("no key and no token (handshake checked first)", p -> wsBase(p, "GET", "HTTP/1.1")
                .header("Sec-WebSocket-Version: 13"), 400, "bad_request"));

        // ---- protocol oddities ----
        c.add(new Case("protocol", "HTTP/1.1 without Host", p -> Request.get(b.apply(p) + "/echo").noHost()
                .token(TOKEN), Expect.container(400)));
        c.add(new Case("protocol", "two Host headers", p -> Request.get(b.apply(p) + "/echo").header("Host: evil")
                .token(TOKEN), Expect.container(400)));
        c.add(new Case("protocol", "Content-Length and Transfer-Encoding", p -> Request.of("POST", b.apply(p) + "/echo")
                .token(TOKEN).header("Transfer-Encoding: chunked").header("Content-Length: 5"), Expect.container(400)));
        c.add(new Case("protocol", "negative Content-Length", p -> Request.of("POST", b.apply(p) + "/echo")
                .token(TOKEN).header("Content-Length: -1"), Expect.container(400)));
        c.add(new Case("protocol", "absolute-form target to another host, no token",
                p -> Request.get("http://evil.example" + b.apply(p) + "/echo"), Expect.container(400)));
        c.add(new Case("protocol", "CONNECT", p -> Request.of("CONNECT", "127.0.0.1:" + p).token(TOKEN),
                Expect.container(400)));
        c.add(new Case("protocol", "invalid method token", p -> Request.of("G@T", b.apply(p) + "/echo").token(TOKEN),
                Expect.container(400)));
        c.add(new Case("protocol", "HTTP/2.0 on an HTTP/1 connection", p -> Request.get(b.apply(p) + "/echo")
                .version("HTTP/2.0").token(TOKEN), Expect.container(426)));
        return c;
    }

    Stream<Arguments> matrix() {
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases()) {
            for (UriProfile p : UriProfile.values()) {
                args.add(Arguments.of(p, c));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("matrix")
    void refusedSafelyWithoutReachingTheUpstream(UriProfile profile, Case c) throws IOException {
        Gateway gateway = gateways.get(profile);
        int acceptedBefore = upstream.acceptedConnections();
        int requestsBefore = upstream.requests();

        Request request = c.request.apply(upstream.port());
        RawHttp.RawResponse r = RawHttp.exchange(gateway.port(), request);
        // A response to HEAD has no body, so only its content type tells whose answer it is.
        boolean head = request.toString().startsWith("HEAD ");
        String type = r.header("content-type");
        Layer layer = (head ? type != null && type.startsWith("application/json") : isOurJson(r))
                ? Layer.SERVLET : Layer.CONTAINER;
        outcomes.put(c + "|" + profile, c + "\t" + profile + "\t" + r.status() + "\t" + layer + "\t"
                + (layer == Layer.SERVLET ? jsonCode(r) : r.statusLine().replaceFirst("^HTTP/1\\.1 ", "")));

        ErrorBodies.assertSafeRefusal(r);
        Expect e = c.expect.get(profile);
        if (e.layer() == Layer.SERVLET && head) {
            assertThat(r.status()).as("%s", r).isEqualTo(e.status());
            assertThat(layer).as("the servlet's JSON headers on HEAD: %s", r).isEqualTo(Layer.SERVLET);
        } else if (e.layer() == Layer.SERVLET) {
            ErrorBodies.assertJsonError(r, e.status(), e.code());
        } else {
            assertThat(r.status()).as("Jetty's answer: %s", r).isEqualTo(e.status());
            assertThat(layer).as("expected Jetty to answer before the servlet, got %s", r).isEqualTo(Layer.CONTAINER);
        }
        assertThat(upstream.acceptedConnections()).as("TCP connections the upstream accepted")
                .isEqualTo(acceptedBefore);
        assertThat(upstream.requests()).as("requests the upstream received").isEqualTo(requestsBefore);
    }

    /** The counters the suite relies on do move when a request is admitted (otherwise every case passes vacuously). */
    @Test
    void controlRequestsDoReachTheUpstream() throws IOException {
        for (UriProfile profile : UriProfile.values()) {
            int before = upstream.requests();
            RawHttp.RawResponse r = RawHttp.exchange(gateways.get(profile).port(),
                    Request.get(B + upstream.port() + "/echo").token(TOKEN));
            assertThat(r.status()).as("%s: %s", profile, r).isEqualTo(200);
            assertThat(upstream.requests()).isEqualTo(before + 1);

            before = upstream.requests();
            r = RawHttp.exchange(gateways.get(profile).port(),
                    Request.get(B + upstream.port() + "/ws/echo").webSocket().token(TOKEN));
            assertThat(r.status()).as("%s: %s", profile, r).isEqualTo(101);
            assertThat(upstream.requests()).isEqualTo(before + 1);
        }
        assertThat(upstream.acceptedConnections()).isPositive();
    }

    @Test
    void atLeastSixtyCases() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(60);
    }

    // ---- case builders ----

    /** A route the library refuses with 400 route_invalid, sent with a valid token. */
    private static Case route(String group, String name, IntFunction<String> target) {
        return new Case(group, name, p -> Request.get(target.apply(p)).token(TOKEN), Expect.servlet(400, "route_invalid"));
    }

    /** A bad header on an otherwise admissible request; {@code code} "-" means Jetty answers with {@code status}. */
    private static Case hdr(String group, String name, String line, int status, String code) {
        IntFunction<Request> req = p -> Request.get(B + p + "/echo").token(TOKEN).header(line);
        return new Case(group, name, req, code.equals("-") ? Expect.container(status) : Expect.servlet(status, code));
    }

    private static Case tok(String name, java.util.function.UnaryOperator<Request> withToken, int status, String code) {
        return new Case("token", name, p -> withToken.apply(Request.get(B + p + "/echo")), Expect.servlet(status, code));
    }

    private static Case ws(String name, IntFunction<Request> req, int status, String code) {
        return new Case("websocket", name, req, Expect.servlet(status, code));
    }

    private static Request wsBase(int port, String method, String version) {
        return Request.of(method, B + port + "/ws/echo").version(version).header("Upgrade: websocket")
                .header("Connection: Upgrade");
    }

    private static boolean isOurJson(RawHttp.RawResponse r) {
        String type = r.header("content-type");
        return type != null && type.startsWith("application/json") && r.bodyText().contains("\"code\"");
    }

    private static String jsonCode(RawHttp.RawResponse r) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("code").asText();
        } catch (IOException e) {
            return "?";
        }
    }
}
