package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The browser-facing contract, on real sockets through a real container: token in the {@code liteboxd_token} query
 * parameter or cookie, what is stripped before the sandbox sees the request, the Origin check for cookie-only
 * requests, response header rewriting for apps under a prefix, and host-style routes
 * ({@code {port}-{id}.sandbox.test}) beside path-style ones on one servlet mapped at {@code /*}.
 *
 * <p>Parameterized by {@link GatewayVariant} like {@link GatewayContract}: a module runs it once per container and
 * front end. The servlet must be registered with {@code ProxyRegistration.register}, which maps {@code /*} because
 * this setup configures a base domain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class BrowserContract {

    protected static final String PREFIX = ProxyConfig.DEFAULT_ROUTE_PREFIX;
    protected static final String BASE_DOMAIN = "sandbox.test";
    protected static final String SANDBOX = "sb1";
    protected static final String TOKEN = "tok-sb1-browser";
    protected static final String OTHER = "sb2";
    protected static final String OTHER_TOKEN = "tok-sb2-browser";
    protected static final String SHARE_SECRET = "test-share-secret-of-32-bytes-at-least";
    protected static final String COOKIE_SECRET = "test-cookie-secret-of-32-bytes-at-least";
    /** Signs cookies as the gateway under test does, so a test can present what a login left in the browser. */
    protected static final GatewayCookies COOKIES = new GatewayCookies(COOKIE_SECRET);
    /** The cookie a query-parameter login to {@link #SANDBOX} on a path-style route leaves. */
    protected static final String TOKEN_COOKIE = "liteboxd_token="
            + COOKIES.sign(SANDBOX, PREFIX + "/" + SANDBOX + "/", TOKEN);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    protected BrowserUpstream upstream;
    protected URI gateway;
    private WebSocketClient wsClient;
    /** The variant this run of the suite is held to. */
    @Parameter
    protected GatewayVariant variant;
    private GatewayVariant.Running running;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    final void startEverything() throws Exception {
        upstream = BrowserUpstream.start();
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(
                new StaticSandboxes.Entry(Sandbox.ready(SANDBOX, "127.0.0.1"), TOKEN),
                new StaticSandboxes.Entry(Sandbox.ready(OTHER, "127.0.0.1"), OTHER_TOKEN)));
        ProxyConfig config = ProxyConfig.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(20))
                .baseDomain(BASE_DOMAIN)
                .shareLinkSecret(SHARE_SECRET)
                .cookieSecret(COOKIE_SECRET)
                .build();
        running = variant.start(new GatewaySetup(config, sandboxes.authenticator(), sandboxes.resolver(),
                new DirectPodConnector()));
        gateway = running.uri();
        org.eclipse.jetty.client.HttpClient http = new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP(1));
        // Every cookie a test sends is explicit; a client that stored the upstream's 101 cookies would add its own.
        http.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
        wsClient = new WebSocketClient(http);
        wsClient.setConnectTimeout(WAIT.toMillis());
        wsClient.start();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    final void stopEverything() throws Exception {
        try {
            if (wsClient != null) {
                wsClient.stop();
            }
        } finally {
            try {
                if (running != null) {
                    running.close();
                }
            } finally {
                if (upstream != null) {
                    upstream.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Browser credentials
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void queryParameter_authenticates_setsTheCookie_andIsRemovedFromTheForwardedQuery() throws Exception {
        RawHttp.RawResponse r = get(path("/echo/q?a=%7E&liteboxd_token=" + TOKEN + "&b=x+y&c=%c3%a9"), List.of());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r);
        assertThat(echo.path("path").asText()).isEqualTo("/echo/q");
        assertThat(echo.path("query").asText()).isEqualTo("a=%7E&b=x+y&c=%c3%a9");
        assertThat(r.bodyText()).doesNotContain(TOKEN);
        assertSignedCookie(r, PREFIX + "/" + SANDBOX + "/");
    }

    @Test
    void queryParameterAlone_leavesNoQueryUpstream() throws Exception {
        RawHttp.RawResponse r = get(path("/echo/only?liteboxd_token=" + TOKEN), List.of());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(json(r).path("query").isNull()).as(r.bodyText()).isTrue();
    }

    @Test
    void cookie_authenticates_isRemoved_andOtherCookiesAndAuthorizationPassUntouched() throws Exception {
        RawHttp.RawResponse r = get(path("/echo/c?k=v"), List.of(
                "Cookie: app=1; " + TOKEN_COOKIE + "; theme=\"dark mode\"",
                "Authorization: Bearer app-own-secret"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r);
        assertThat(values(echo, "cookie")).containsExactly("app=1; theme=\"dark mode\"");
        assertThat(values(echo, "authorization")).containsExactly("Bearer app-own-secret");
        assertThat(echo.path("query").asText()).isEqualTo("k=v");
        assertThat(r.bodyText()).doesNotContain(TOKEN);
        assertThat(r.headers()).as("no new cookie for a cookie login").doesNotContainKey("set-cookie");
    }

    @Test
    void cookieAlone_noCookieHeaderReachesTheUpstream() throws Exception {
        RawHttp.RawResponse r = get(path("/echo/c"), List.of("Cookie: " + TOKEN_COOKIE));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(json(r).path("headers").has("cookie")).isFalse();
    }

    @Test
    void headerWins_aWrongHeaderIsNotRescuedByTheCookie_andTheParameterIsStillRemoved() throws Exception {
        GatewayContract.assertGatewayError(get(path("/echo/x"),
                List.of("X-Access-Token: wrong", "Cookie: " + TOKEN_COOKIE)), 401, "token_invalid");

        RawHttp.RawResponse r = get(path("/echo/x?liteboxd_token=wrong&z=1"), List.of("X-Access-Token: " + TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(json(r).path("query").asText()).isEqualTo("z=1");
        assertThat(r.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void tokenOfAnotherSandbox_inTheCookie_isRefused() throws Exception {
        // A cookie the gateway issued for the other sandbox, as that sandbox's page could plant it here.
        String other = "liteboxd_token=" + COOKIES.sign(OTHER, PREFIX + "/" + OTHER + "/", OTHER_TOKEN);
        GatewayContract.assertGatewayError(get(path("/echo/x"), List.of("Cookie: " + other)), 401, "token_invalid");
        // The bare token is not a cookie the gateway issued either.
        GatewayContract.assertGatewayError(get(path("/echo/x"), List.of("Cookie: liteboxd_token=" + TOKEN)),
                401, "token_invalid");
    }

    @Test
    void cookie_unsafeCrossOriginRequest_isRefused_sameOriginPasses() throws Exception {
        GatewayContract.assertGatewayError(RawHttp.exchange(gateway, "POST", path("/echo/form"), List.of(
                "Cookie: " + TOKEN_COOKIE, "Origin: http://evil.example"), new byte[] {'x'}),
                403, "origin_forbidden");

        RawHttp.RawResponse same = RawHttp.exchange(gateway, "POST", path("/echo/form"), List.of(
                "Cookie: " + TOKEN_COOKIE, "Origin: " + selfOrigin()), new byte[] {'x'});
        assertThat(same.status()).as(same.toString()).isEqualTo(200);
    }

    @Test
    void shareLink_opensOnePort_setsAPortScopedCookie_andIsNeverForwarded() throws Exception {
        String link = new ShareLinks(SHARE_SECRET).sign(SANDBOX, upstream.port(), Duration.ofMinutes(5));
        RawHttp.RawResponse r = get(path("/echo/shared?liteboxd_share=" + link + "&k=v"), List.of());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(json(r).path("query").asText()).isEqualTo("k=v");
        assertThat(r.bodyText()).doesNotContain(link);
        assertThat(r.headers().get("set-cookie")).singleElement().asString()
                .startsWith("liteboxd_share=" + link + "; Path=" + PREFIX + "/" + SANDBOX + "/port/" + upstream.port()
                        + "/; Max-Age=")
                .endsWith("; HttpOnly; SameSite=Lax");

        RawHttp.RawResponse byCookie = get(path("/echo/shared"), List.of("Cookie: a=1; liteboxd_share=" + link));
        assertThat(byCookie.status()).as(byCookie.toString()).isEqualTo(200);
        assertThat(values(json(byCookie), "cookie")).containsExactly("a=1");

        GatewayContract.assertGatewayError(get(PREFIX + "/" + SANDBOX + "/port/" + (upstream.port() + 1)
                + "/echo/x?liteboxd_share=" + link, List.of()), 401, "token_invalid");
        GatewayContract.assertGatewayError(get(PREFIX + "/" + OTHER + "/port/" + upstream.port()
                + "/echo/x?liteboxd_share=" + link, List.of()), 401, "token_invalid");
    }

    @Test
    void navigationWithTheToken_is303ToTheCleanUrl_withTheCookie_andNeverReachesTheUpstream() throws Exception {
        try (BrowserUpstream sentinel = BrowserUpstream.start()) {
            String page = PREFIX + "/" + SANDBOX + "/port/" + sentinel.port() + "/echo/page";
            RawHttp.RawResponse r = get(page + "?a=%7E&liteboxd_token=" + TOKEN + "&b=x+y&c=%c3%a9&a",
                    List.of("Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document", "Accept: text/html"));

            assertThat(r.status()).as(r.toString()).isEqualTo(303);
            assertThat(r.header("location")).isEqualTo(page + "?a=%7E&b=x+y&c=%c3%a9&a");
            assertThat(r.header("referrer-policy")).isEqualTo("no-referrer");
            assertThat(r.header("cache-control")).isEqualTo("no-store");
            assertThat(r.bodyText()).isEmpty();
            String cookie = assertSignedCookie(r, PREFIX + "/" + SANDBOX + "/");
            assertThat(sentinel.acceptedConnections()).as("the upstream is not contacted").isZero();

            // Where the browser goes next: the cookie alone, the query as it was without the token.
            RawHttp.RawResponse next = get(r.header("location"), List.of("Cookie: " + cookie,
                    "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document"));
            assertThat(next.status()).as(next.toString()).isEqualTo(200);
            assertThat(json(next).path("query").asText()).isEqualTo("a=%7E&b=x+y&c=%c3%a9&a");
            assertThat(sentinel.acceptedConnections()).isEqualTo(1);

            // Without fetch metadata an HTML Accept is a navigation; HEAD is redirected like GET.
            RawHttp.RawResponse html = RawHttp.exchange(gateway, "HEAD", page + "?liteboxd_token=" + TOKEN,
                    List.of("Accept: text/html,application/xhtml+xml"), null);
            assertThat(html.status()).as(html.toString()).isEqualTo(303);
            assertThat(html.header("location")).isEqualTo(page);
            String link = new ShareLinks(SHARE_SECRET).sign(SANDBOX, sentinel.port(), Duration.ofMinutes(5));
            RawHttp.RawResponse shared = get(page + "?k=v&liteboxd_share=" + link, List.of("Sec-Fetch-Mode: navigate"));
            assertThat(shared.status()).as(shared.toString()).isEqualTo(303);
            assertThat(shared.header("location")).isEqualTo(page + "?k=v");
            assertThat(shared.headers().get("set-cookie")).singleElement().asString()
                    .startsWith("liteboxd_share=" + link + "; Path=" + PREFIX + "/" + SANDBOX + "/port/"
                            + sentinel.port() + "/; Max-Age=");
            assertThat(sentinel.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void nonNavigationsWithTheToken_areStillRelayed_andSetTheCookie() throws Exception {
        for (List<String> headers : List.<List<String>>of(List.of("Sec-Fetch-Mode: cors", "Sec-Fetch-Dest: empty",
                "Accept: text/html"), List.of("Accept: application/json"), List.of())) {
            RawHttp.RawResponse r = get(path("/echo/api?liteboxd_token=" + TOKEN + "&k=v"), headers);
            assertThat(r.status()).as("%s: %s", headers, r).isEqualTo(200);
            assertThat(json(r).path("query").asText()).isEqualTo("k=v");
            assertSignedCookie(r, PREFIX + "/" + SANDBOX + "/");
        }
        RawHttp.RawResponse post = RawHttp.exchange(gateway, "POST", path("/echo/form?liteboxd_token=" + TOKEN),
                List.of("Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document", "Accept: text/html"), new byte[] {'x'});
        assertThat(post.status()).as(post.toString()).isEqualTo(200);
        assertThat(json(post).path("query").isNull()).isTrue();
    }

    @Test
    void plantedCookies_beforeTheRealOne_cannotLockTheUserOut() throws Exception {
        StringBuilder planted = new StringBuilder("Cookie: ");
        for (int i = 0; i < 20; i++) {
            planted.append("liteboxd_token=planted").append(i).append("; ");
        }
        RawHttp.RawResponse r = get(path("/echo/p"), List.of(planted + "app=1; " + TOKEN_COOKIE));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(values(json(r), "cookie")).containsExactly("app=1");

        String link = new ShareLinks(SHARE_SECRET).sign(SANDBOX, upstream.port(), Duration.ofMinutes(5));
        RawHttp.RawResponse shared = get(path("/echo/s"), List.of(planted + "liteboxd_share=1.x; ".repeat(20)
                + "liteboxd_share=" + link));
        assertThat(shared.status()).as("planted token and share cookies before a share cookie: %s", shared)
                .isEqualTo(200);
    }

    @Test
    void malformedShareValues_are401Json_neverAnError() throws Exception {
        for (String bad : List.of("9999999999999999999.AAAA", "99999999999999999999.x", "9223372036854775808.x",
                ".", "..", "1.", ".x", "x.y", "-1.x", "123", "%C3%A9.x", "1.%E2%9C%93", "9".repeat(5000) + ".x",
                "1." + "A".repeat(5000))) {
            GatewayContract.assertGatewayError(get(path("/echo/x?liteboxd_share=" + bad), List.of()), 401,
                    "token_invalid");
            GatewayContract.assertGatewayError(get(path("/echo/x"), List.of("Cookie: liteboxd_share=" + bad)),
                    401, "token_invalid");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Response headers of apps under a prefix
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void rootRelativeRedirect_isMovedUnderTheSandboxPrefix_othersAreNot() throws Exception {
        String mount = PREFIX + "/" + SANDBOX + "/port/" + upstream.port();
        assertThat(respond("302", "Location:/login?next=/x").header("location")).isEqualTo(mount + "/login?next=/x");
        assertThat(respond("302", "Location:" + mount + "/ok").header("location")).isEqualTo(mount + "/ok");
        assertThat(respond("301", "Location:http://elsewhere.example/x").header("location"))
                .isEqualTo("http://elsewhere.example/x");
        assertThat(respond("302", "Location://evil.example/x").header("location")).isEqualTo("//evil.example/x");
    }

    @Test
    void setCookie_isScopedToTheSandbox_andCannotPlantTheGatewayCookie() throws Exception {
        String mount = PREFIX + "/" + SANDBOX + "/port/" + upstream.port();
        RawHttp.RawResponse r = respond("200", "Set-Cookie:sid=1; Path=/; Domain=sandbox.example; HttpOnly",
                "Set-Cookie:pref=a; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/app",
                "Set-Cookie:liteboxd_token=planted; Path=/");

        assertThat(r.headers().get("set-cookie")).containsExactlyInAnyOrder(
                "sid=1; Path=" + mount + "/; HttpOnly",
                "pref=a; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=" + mount + "/app");
    }

    @Test
    void responseHeaderValues_arriveAsTheUpstreamSentThem() throws Exception {
        RawHttp.RawResponse r = respond("200", "Expires:Wed, 21 Oct 2037 07:28:00 GMT",
                "WWW-Authenticate:Basic realm=\"a, b\", charset=\"UTF-8\"", "Set-Cookie:plain=1; HttpOnly");

        assertThat(r.header("expires")).isEqualTo("Wed, 21 Oct 2037 07:28:00 GMT");
        assertThat(r.header("www-authenticate")).isEqualTo("Basic realm=\"a, b\", charset=\"UTF-8\"");
        assertThat(r.headers().get("set-cookie")).containsExactly("plain=1; HttpOnly");
    }

    // ------------------------------------------------------------------------------------------------------------
    // WebSocket
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void ws_cookieAndSameOrigin_relays_withoutTheGatewayCookieOrParameter() throws Exception {
        List<String> received = new ArrayList<>();
        JsonNode handshake = wsReport(gateway.getHost() + ":" + gateway.getPort(), path("/ws?x=1"),
                "app=1; " + TOKEN_COOKIE, selfOrigin(), received);

        assertThat(handshake.path("query").asText()).isEqualTo("x=1");
        assertThat(values(handshake, "cookie")).containsExactly("app=1");
        assertThat(handshake.toString()).doesNotContain(TOKEN);
        assertThat(received).as("echo after the report").containsExactly("ping");
    }

    @Test
    void ws_cookieFromAnotherOrigin_is403_andNeverDialsTheUpstream() throws Exception {
        try (BrowserUpstream sentinel = BrowserUpstream.start()) {
            String target = PREFIX + "/" + SANDBOX + "/port/" + sentinel.port() + "/ws";
            GatewayContract.assertGatewayError(RawHttp.webSocketHandshake(gateway, target,
                    List.of("Cookie: " + TOKEN_COOKIE, "Origin: http://127.0.0.1:1")), 403, "origin_forbidden");
            GatewayContract.assertGatewayError(RawHttp.webSocketHandshake(gateway, target,
                    List.of("Cookie: " + TOKEN_COOKIE)), 403, "origin_forbidden");
            assertThat(sentinel.acceptedConnections()).isZero();

            // Positive control: the same handshake from the gateway's own origin reaches that upstream.
            RawHttp.RawResponse ok = RawHttp.webSocketHandshake(gateway, target,
                    List.of("Cookie: " + TOKEN_COOKIE, "Origin: " + selfOrigin()));
            assertThat(ok.status()).as(ok.toString()).isEqualTo(101);
            assertThat(sentinel.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void ws_queryParameter_fromAnotherOrigin_isAnExplicitCredential() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, path("/ws?liteboxd_token=" + TOKEN),
                List.of("Origin: http://elsewhere.example"));

        assertThat(r.status()).as(r.toString()).isEqualTo(101);
    }

    @Test
    void ws_upstream101Cookies_areScoped_andTheGatewayCookieIsNotPlanted() throws Exception {
        RawHttp.RawResponse r = RawHttp.webSocketHandshake(gateway, path("/ws"), List.of("X-Access-Token: " + TOKEN));

        assertThat(r.status()).as(r.toString()).isEqualTo(101);
        assertThat(r.headers().getOrDefault("set-cookie", List.of()))
                .containsExactly("ws_sid=1; Path=" + PREFIX + "/" + SANDBOX + "/port/" + upstream.port() + "/");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Host-style routes on the same servlet
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void hostStyle_passesWholePathAndQuery_scopesTheCookieToTheHost() throws Exception {
        String host = sandboxHost(SANDBOX);
        RawHttp.RawResponse r = RawHttp.exchange(gateway, host, "GET",
                "/echo/a%2Fb/%7Euser?x=1&liteboxd_token=" + TOKEN + "&y=%20", List.of(), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = json(r);
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a%2Fb/%7Euser");
        assertThat(echo.path("query").asText()).isEqualTo("x=1&y=%20");
        assertThat(values(echo, "x-forwarded-host")).containsExactly(host);
        assertThat(echo.path("headers").has("x-forwarded-prefix")).isFalse();
        assertSignedCookie(r, "/");
    }

    @Test
    void hostStyle_redirectsAreNotRewritten_butCookieDomainsAreDropped() throws Exception {
        String host = sandboxHost(SANDBOX);
        RawHttp.RawResponse r = RawHttp.exchange(gateway, host, "GET",
                "/respond?status=302&h=Location:/login&h=Set-Cookie:sid%3D1;%20Path%3D/;%20Domain%3Dsandbox.test",
                List.of("X-Access-Token: " + TOKEN), null);

        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        assertThat(r.header("location")).isEqualTo("/login");
        assertThat(r.headers().get("set-cookie")).containsExactly("sid=1; Path=/");
    }

    @Test
    void hostStyle_ws_cookieFromItsOwnHost_relays_fromAnotherSandboxHost_is403() throws Exception {
        String host = sandboxHost(SANDBOX);
        List<String> received = new ArrayList<>();
        String cookie = "liteboxd_token=" + COOKIES.sign(SANDBOX, "/", TOKEN);
        JsonNode handshake = wsReport(host, "/ws?v=2", cookie, "http://" + host, received);
        assertThat(handshake.path("path").asText()).isEqualTo("/ws");
        assertThat(handshake.path("query").asText()).isEqualTo("v=2");

        GatewayContract.assertGatewayError(RawHttp.webSocketHandshake(gateway, host, "/ws",
                List.of("Cookie: " + cookie, "Origin: http://" + sandboxHost(OTHER))),
                403, "origin_forbidden");
    }

    @Test
    void hostStyle_otherSandboxToken_isRefused_andMalformedSandboxHostIs400() throws Exception {
        GatewayContract.assertGatewayError(RawHttp.exchange(gateway, sandboxHost(SANDBOX), "GET", "/echo/x",
                List.of("X-Access-Token: " + OTHER_TOKEN), null), 401, "token_invalid");
        GatewayContract.assertGatewayError(RawHttp.exchange(gateway, "nope-" + SANDBOX + "." + BASE_DOMAIN, "GET",
                "/echo/x", List.of("X-Access-Token: " + TOKEN), null), 400, "route_invalid");
    }

    @Test
    void pathStyle_stillWorks_andOtherPathsAreJson400_onTheSlashStarMapping() throws Exception {
        RawHttp.RawResponse r = get(path("/echo/p"), List.of("X-Access-Token: " + TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(values(json(r), "x-forwarded-prefix"))
                .containsExactly(PREFIX + "/" + SANDBOX + "/port/" + upstream.port());

        GatewayContract.assertGatewayError(RawHttp.exchange(gateway, "GET", "/favicon.ico",
                List.of("X-Access-Token: " + TOKEN), null), 400, "route_invalid");
    }

    // ------------------------------------------------------------------------------------------------------------

    private String path(String pathAndQuery) {
        return PREFIX + "/" + SANDBOX + "/port/" + upstream.port() + pathAndQuery;
    }

    private String sandboxHost(String sandbox) {
        return upstream.port() + "-" + sandbox + "." + BASE_DOMAIN + ":" + gateway.getPort();
    }

    private String selfOrigin() {
        return "http://" + gateway.getHost() + ":" + gateway.getPort();
    }

    private RawHttp.RawResponse get(String target, List<String> headers) throws IOException {
        return RawHttp.exchange(gateway, "GET", target, headers, null);
    }

    private RawHttp.RawResponse respond(String status, String... headers) throws IOException {
        StringBuilder query = new StringBuilder("?status=").append(status);
        for (String h : headers) {
            query.append("&h=").append(java.net.URLEncoder.encode(h, java.nio.charset.StandardCharsets.UTF_8));
        }
        RawHttp.RawResponse r = get(path("/respond" + query), List.of("X-Access-Token: " + TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(Integer.parseInt(status));
        return r;
    }

    /** Opens a WebSocket with only a cookie and an Origin (as a browser would), returns the upstream's report. */
    private JsonNode wsReport(String host, String target, String cookie, String origin, List<String> echoes)
            throws Exception {
        URI uri = URI.create("ws://" + gateway.getHost() + ":" + gateway.getPort() + target);
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("Host", host);
        request.setHeader("Cookie", cookie);
        request.setHeader("Origin", origin);
        WsClientSocket socket = new WsClientSocket();
        Session session = wsClient.connect(socket, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            JsonNode report = JSON.readTree(socket.nextText());
            CompletableFuture<Void> sent = new CompletableFuture<>();
            session.sendText("ping", Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            echoes.add(socket.nextText());
            return report;
        } finally {
            session.close(1000, "done", Callback.NOOP);
        }
    }

    /**
     * Asserts the response sets exactly one gateway token cookie, scoped to {@code path}, whose value the gateway
     * signed for {@link #TOKEN}; returns it as a {@code Cookie} pair.
     */
    private static String assertSignedCookie(RawHttp.RawResponse r, String path) {
        List<String> setCookies = r.headers().get("set-cookie");
        assertThat(setCookies).as(r.toString()).hasSize(1);
        String setCookie = setCookies.get(0);
        assertThat(setCookie).startsWith("liteboxd_token=v1.").doesNotContain(TOKEN)
                .endsWith("; Path=" + path + "; Max-Age=" + GatewayCookies.LIFETIME.toSeconds()
                        + "; HttpOnly; SameSite=Lax");
        String pair = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(COOKIES.open(pair.substring(pair.indexOf('=') + 1), SANDBOX, "/".equals(path) ? "/" : path))
                .isEqualTo(TOKEN);
        return pair;
    }

    private static JsonNode json(RawHttp.RawResponse r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static List<String> values(JsonNode echo, String header) {
        List<String> values = new ArrayList<>();
        echo.path("headers").path(header).forEach(v -> values.add(v.asText()));
        return values;
    }
}
