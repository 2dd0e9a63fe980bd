package io.liteboxd.proxy.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.route.RouteStyle;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admission pipeline with browser credentials, Origin checks and host-style routes. */
class BrowserAdmissionTest {

    private static final String PATH = "/api/v1/sandbox/abc/port/8080/x";
    private static final String HOST = "gw.example.com";

    private final TokenAuthenticator auth = mock(TokenAuthenticator.class);
    private final SandboxResolver resolver = mock(SandboxResolver.class);
    private static final String COOKIE_SECRET = "cookie-secret-0123456789abcdef-0123";
    private static final GatewayCookies COOKIES = new GatewayCookies(COOKIE_SECRET);
    /** The cookie a query-parameter login with "good" leaves in the browser. */
    private static final String GOOD = "liteboxd_token=" + COOKIES.sign("abc", "/api/v1/sandbox/abc/", "good");
    private static final String GOOD_ON_HOST = "liteboxd_token=" + COOKIES.sign("abc", "/", "good");

    private final SandboxGateway gateway = new SandboxGateway(ProxyConfig.builder()
            .baseDomain("sandbox.example.com").cookieSecret(COOKIE_SECRET).build(), auth, resolver,
            new DirectPodConnector());

    @BeforeEach
    void sandbox() {
        when(auth.authenticate("abc", "good")).thenReturn(true);
        when(resolver.resolve("abc")).thenReturn(Optional.of(Sandbox.ready("abc", "10.0.0.9")));
    }

    @Test
    void queryParameter_authenticates_andNeverReachesTheUpstream() {
        Admission a = gateway.admit(request("GET", PATH, "a=%7E&liteboxd_token=good&b=x+y", List.of(), List.of(),
                null, Transport.HTTP));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.QUERY);
        assertThat(a.token()).isEqualTo("good");
        assertThat(a.route().query()).isEqualTo("a=%7E&b=x+y");
        assertThat(a.target().uri().toString()).isEqualTo("http://10.0.0.9:8080/x?a=%7E&b=x+y");
        assertThat(a.toString()).doesNotContain("good");
    }

    @Test
    void queryParameterAlone_leavesNoQuery() {
        Admission a = gateway.admit(request("GET", PATH, "liteboxd_token=good", List.of(), List.of(), null,
                Transport.HTTP));
        assertThat(a.target().uri().toString()).isEqualTo("http://10.0.0.9:8080/x");
    }

    @Test
    void headerWins_aWrongHeaderIsNotRescuedByAGoodCookie() {
        expect(() -> gateway.admit(request("GET", PATH, null, List.of("bad"), List.of(GOOD), null,
                Transport.HTTP)), ProxyError.TOKEN_INVALID);
        Admission a = gateway.admit(request("GET", PATH, "liteboxd_token=bad", List.of("good"), List.of(), null,
                Transport.HTTP));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.HEADER);
        assertThat(a.route().query()).as("the losing parameter is still removed").isNull();
    }

    @Test
    void queryLogin_earnsASignedCookie_thatOpensToTheToken_onlyForItsSandboxAndScope() {
        Admission a = gateway.admit(request("GET", PATH, "liteboxd_token=good", List.of(), List.of(), null,
                Transport.HTTP));
        assertThat(a.cookie()).startsWith("v1.").doesNotContain("good");
        assertThat(COOKIES.open(a.cookie(), "abc", "/api/v1/sandbox/abc/")).isEqualTo("good");
        assertThat(COOKIES.open(a.cookie(), "abd", "/api/v1/sandbox/abc/")).isNull();
        assertThat(COOKIES.open(a.cookie(), "abc", "/")).isNull();
        assertThat(gateway.admit(request("GET", PATH, "liteboxd_token=good", List.of(), List.of(), null,
                Transport.WEBSOCKET)).cookie()).as("no cookie on a WebSocket").isNull();
    }

    @Test
    void cookie_plantedValuesAreSkippedWithoutTheAuthenticator_howeverManyComeFirst() {
        String planted = "liteboxd_token=planted; ".repeat(150) + "__Host-liteboxd_token=x; liteboxd_token="
                + COOKIES.sign("abd", "/api/v1/sandbox/abc/", "good") + "; ";
        Admission a = gateway.admit(request("GET", PATH, null, List.of(), List.of(planted + GOOD), null,
                Transport.HTTP));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.COOKIE);
        assertThat(a.token()).isEqualTo("good");
        verify(auth).authenticate("abc", "good");
        verify(auth, never()).authenticate(anyString(), org.mockito.ArgumentMatchers.eq("planted"));
    }

    @Test
    void cookie_unsignedOrForeignOrRevoked_isRefused() {
        expect(() -> gateway.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_token=good"), null,
                Transport.HTTP)), ProxyError.TOKEN_INVALID);
        expect(() -> gateway.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_token="
                + new GatewayCookies("another-secret-0123456789abcdef-01").sign("abc", "/api/v1/sandbox/abc/", "good")),
                null, Transport.HTTP)), ProxyError.TOKEN_INVALID);
        verify(auth, never()).authenticate(anyString(), anyString());

        when(auth.authenticate("abc", "good")).thenReturn(false);
        expect(() -> gateway.admit(request("GET", PATH, null, List.of(), List.of(GOOD), null, Transport.HTTP)),
                ProxyError.TOKEN_INVALID);
    }

    @Test
    void cookieWebSocket_needsAnAllowedOrigin_checkedBeforeTheAuthenticator() {
        expect(() -> gateway.admit(request("GET", PATH, null, List.of(), List.of(GOOD),
                "http://evil.example", Transport.WEBSOCKET)), ProxyError.ORIGIN_FORBIDDEN);
        expect(() -> gateway.admit(request("GET", PATH, null, List.of(), List.of(GOOD), null,
                Transport.WEBSOCKET)), ProxyError.ORIGIN_FORBIDDEN);
        verify(auth, never()).authenticate(anyString(), anyString());

        Admission a = gateway.admit(request("GET", PATH, null, List.of(), List.of(GOOD),
                "https://" + HOST, Transport.WEBSOCKET));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.COOKIE);
    }

    @Test
    void explicitCredentials_needNoOrigin() {
        assertThat(gateway.admit(request("GET", PATH, "liteboxd_token=good", List.of(), List.of(),
                "http://evil.example", Transport.WEBSOCKET)).tokenSource()).isEqualTo(TokenSource.QUERY);
        assertThat(gateway.admit(request("GET", PATH, null, List.of("good"), List.of(GOOD),
                "http://evil.example", Transport.WEBSOCKET)).tokenSource()).isEqualTo(TokenSource.HEADER);
    }

    @Test
    void cookieHttp_unsafeCrossOriginIsRefused_safeAndSameOriginPass() {
        expect(() -> gateway.admit(request("POST", PATH, null, List.of(), List.of(GOOD),
                "http://evil.example", Transport.HTTP)), ProxyError.ORIGIN_FORBIDDEN);
        assertThat(gateway.admit(request("GET", PATH, null, List.of(), List.of(GOOD),
                "http://evil.example", Transport.HTTP)).tokenSource()).isEqualTo(TokenSource.COOKIE);
        assertThat(gateway.admit(request("POST", PATH, null, List.of(), List.of(GOOD),
                "http://" + HOST, Transport.HTTP)).tokenSource()).isEqualTo(TokenSource.COOKIE);
    }

    @Test
    void hostStyleRoute_feedsTheSamePipeline() {
        Admission a = gateway.admit(new GatewayRequest("GET", "8080-abc.sandbox.example.com", "/api/v1/sandbox/x",
                "liteboxd_token=good&q=1", List.of(), List.of(), null, Transport.WEBSOCKET, ""));
        assertThat(a.route().style()).isEqualTo(RouteStyle.HOST);
        assertThat(a.target().uri().toString()).isEqualTo("ws://10.0.0.9:8080/api/v1/sandbox/x?q=1");

        expect(() -> gateway.admit(new GatewayRequest("GET", "8080-abc.sandbox.example.com", "/", null, List.of(),
                List.of(), null, Transport.HTTP, "")), ProxyError.TOKEN_MISSING);
        expect(() -> gateway.admit(new GatewayRequest("GET", "8080-abc.sandbox.example.com", "/", null, List.of(),
                List.of(GOOD_ON_HOST), "http://8080-other.sandbox.example.com", Transport.WEBSOCKET, "")),
                ProxyError.ORIGIN_FORBIDDEN);
        assertThat(gateway.admit(new GatewayRequest("GET", "8080-abc.sandbox.example.com", "/", null, List.of(),
                List.of("__Host-" + GOOD_ON_HOST), null, Transport.HTTP, "")).token()).isEqualTo("good");
    }

    @Test
    void browserAuthOff_ignoresParameterAndCookie_butStillStripsTheParameter() {
        SandboxGateway headerOnly = new SandboxGateway(ProxyConfig.builder().browserAuth(false).build(), auth,
                resolver, new DirectPodConnector());
        expect(() -> headerOnly.admit(request("GET", PATH, "liteboxd_token=good", List.of(), List.of(), null,
                Transport.HTTP)), ProxyError.TOKEN_MISSING);
        assertThat(headerOnly.admit(request("GET", PATH, "liteboxd_token=x&k=v", List.of("good"), List.of(), null,
                Transport.HTTP)).route().query()).isEqualTo("k=v");
    }

    @Test
    void shareLink_opensItsPortWithoutTheAuthenticator_andIsNeverForwarded() {
        String secret = "0123456789abcdef0123456789abcdef";
        SandboxGateway sharing = new SandboxGateway(ProxyConfig.builder().shareLinkSecret(secret).build(), auth,
                resolver, new DirectPodConnector());
        String link = new ShareLinks(secret).sign("abc", 8080, java.time.Duration.ofMinutes(5));

        Admission a = sharing.admit(request("GET", PATH, "liteboxd_share=" + link + "&k=v", List.of(), List.of(), null,
                Transport.HTTP));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.SHARE_LINK);
        assertThat(a.token()).isEqualTo(link);
        assertThat(a.target().uri().getRawQuery()).isEqualTo("k=v");
        verify(auth, never()).authenticate(anyString(), anyString());

        expect(() -> sharing.admit(request("GET", "/api/v1/sandbox/abc/port/8081/x", "liteboxd_share=" + link,
                List.of(), List.of(), null, Transport.HTTP)), ProxyError.TOKEN_INVALID);
        expect(() -> sharing.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_share=" + link),
                "http://evil.example", Transport.WEBSOCKET)), ProxyError.ORIGIN_FORBIDDEN);
        assertThat(sharing.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_share=" + link),
                "http://" + HOST, Transport.WEBSOCKET)).tokenSource()).isEqualTo(TokenSource.SHARE_COOKIE);

        // Planted token cookies do not shadow the share cookie; planted share cookies do not crowd it out.
        assertThat(sharing.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_token=planted; "
                + "liteboxd_share=9999999999999999999.x; ".repeat(150) + "liteboxd_share=" + link), null,
                Transport.HTTP)).tokenSource()).isEqualTo(TokenSource.SHARE_COOKIE);
        for (String bad : List.of("9999999999999999999.AAAA", "1.2.3", "", ".", "x")) {
            if (!bad.isEmpty()) {
                expect(() -> sharing.admit(request("GET", PATH, "liteboxd_share=" + bad, List.of(), List.of(), null,
                        Transport.HTTP)), ProxyError.TOKEN_INVALID);
            }
            expect(() -> sharing.admit(request("GET", PATH, null, List.of(), List.of("liteboxd_share=" + bad + "; a=1"),
                    null, Transport.HTTP)), bad.isEmpty() ? ProxyError.TOKEN_MISSING : ProxyError.TOKEN_INVALID);
        }

        // Without a secret the parameter is no credential, but it is still removed.
        assertThat(gateway.admit(request("GET", PATH, "liteboxd_share=" + link + "&k=v", List.of("good"), List.of(),
                null, Transport.HTTP)).route().query()).isEqualTo("k=v");
    }

    private static GatewayRequest request(String method, String path, String query, List<String> headers,
                                          List<String> cookies, String origin, Transport transport) {
        return new GatewayRequest(method, HOST, path, query, headers, cookies, origin, transport, "");
    }

    private static void expect(Runnable call, ProxyError error) {
        try {
            call.run();
        } catch (ProxyException e) {
            assertThat(e.error()).isEqualTo(error);
            return;
        }
        throw new AssertionError("expected " + error);
    }
}
