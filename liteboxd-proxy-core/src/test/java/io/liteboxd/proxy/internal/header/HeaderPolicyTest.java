package io.liteboxd.proxy.internal.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.RouteStyle;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderPolicyTest {

    private static final String MOUNT = "/api/v1/sandbox/sb1/port/8000";
    private final HeaderPolicy policy = HeaderPolicy.of(ProxyConfig.defaults());

    private static HeaderContext context(RouteStyle style, boolean webSocket, UpstreamTarget target) {
        return context(style, webSocket, target, false, false);
    }

    private static HeaderContext context(RouteStyle style, boolean webSocket, UpstreamTarget target,
                                         boolean keepPrefix, boolean preserveHost) {
        SandboxRoute route = new SandboxRoute(style == RouteStyle.PATH ? "/api/v1/sandbox" : "", "sb1", 8000, "/x",
                null, style);
        Admission admission = new Admission(route, Sandbox.ready("sb1", "10.1.2.3"), target, TokenSource.HEADER, null,
                null, keepPrefix, preserveHost);
        return new HeaderContext(admission, style == RouteStyle.PATH ? MOUNT : "", "10.0.0.9", true,
                "gw.example:8443", 8443, "req-1", "HTTP/1.1", webSocket);
    }

    private static HeaderContext path() {
        return context(RouteStyle.PATH, false, new UpstreamTarget(URI.create("http://10.1.2.3:8000/x")));
    }

    private static HeaderContext host() {
        return context(RouteStyle.HOST, false, new UpstreamTarget(URI.create("http://10.1.2.3:8000/x")));
    }

    private HeaderBlock request(HeaderContext context, String... fields) {
        HeaderBlock block = block(fields);
        policy.request(block, context);
        return block;
    }

    private HeaderBlock response(HeaderContext context, String... fields) {
        HeaderBlock block = block(fields);
        policy.response(block, context);
        return block;
    }

    private static HeaderBlock block(String... fields) {
        HeaderBlock block = new HeaderBlock();
        for (int i = 0; i < fields.length; i += 2) {
            block.add(fields[i], fields[i + 1]);
        }
        return block;
    }

    @ParameterizedTest(name = "request header {0} is not forwarded")
    @ValueSource(strings = {"Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Authenticate", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Proxy-Connection", "HTTP2-Settings", "X-Access-Token", "x-access-token",
        "Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
        "Forwarded", "X-Real-IP", "x-real-ip", "X-Forwarded-Server", "Impersonate-User", "Impersonate-Group",
        "Impersonate-Uid", "Impersonate-Extra-Scopes", "X-Remote-User", "x-remote-group", "X-Remote-Extra-Foo",
        "X-Secret-Hop"})
    void dropsRequestHeader(String name) {
        HeaderBlock out = request(path(), "Connection", "keep-alive, X-Secret-Hop", name, "v");
        assertThat(out.values(name)).isEmpty();
    }

    @ParameterizedTest(name = "request header {0} is forwarded")
    @ValueSource(strings = {"Authorization", "Origin", "User-Agent", "Accept", "Content-Type", "Content-Length",
        "X-Custom", "Sec-Fetch-Mode", "X-Access-Token-Hint"})
    void forwardsEndToEndRequestHeader(String name) {
        assertThat(request(path(), name, "v").values(name)).containsExactly("v");
    }

    @Test
    void forwardingHeadersAreTheGatewaysOwn() {
        HeaderBlock out = request(path(), "X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "2.2.2.2",
                "X-Forwarded-Proto", "ftp", "X-Forwarded-Host", "evil", "X-Forwarded-Prefix", "/evil",
                "X-Request-ID", "client", "Via", "1.0 front");
        assertThat(out.values("X-Forwarded-For")).containsExactly("1.1.1.1, 2.2.2.2, 10.0.0.9");
        assertThat(out.values("X-Forwarded-Proto")).containsExactly("https");
        assertThat(out.values("X-Forwarded-Host")).containsExactly("gw.example:8443");
        assertThat(out.values("X-Forwarded-Port")).containsExactly("8443");
        assertThat(out.values("X-Forwarded-Prefix")).containsExactly(MOUNT);
        assertThat(out.values("X-Request-ID")).containsExactly("req-1");
        assertThat(out.values("Via")).containsExactly("1.0 front, 1.1 liteboxd");
        assertThat(request(host()).values("X-Forwarded-Prefix")).as("no prefix on a host route").isEmpty();
    }

    @Test
    void keepPrefix_sendsNoForwardedPrefix_preserveHost_sendsTheClientsHost() {
        UpstreamTarget direct = new UpstreamTarget(URI.create("http://10.1.2.3:8000/x"));
        HeaderBlock out = request(context(RouteStyle.PATH, false, direct, true, true), "Host", "gw.example:8443");
        assertThat(out.values("X-Forwarded-Prefix")).isEmpty();
        assertThat(out.values("Host")).containsExactly("gw.example:8443");
        assertThat(request(path(), "Host", "gw.example:8443").values("Host")).as("default: the leg's own").isEmpty();
    }

    @Test
    void gatewayCookiesLeaveCookieAndOtherCookiesStay() {
        HeaderBlock out = request(path(), "Cookie", "a=1; liteboxd_token=t; b=2", "Cookie", "liteboxd_share=s",
                "Cookie", "__Host-liteboxd_token=t2; c=3");
        assertThat(out.values("Cookie")).containsExactly("a=1; b=2", "c=3");
    }

    @Test
    void refererLosesOnlyTheGatewaysParameters() {
        assertThat(request(path(), "Referer", "https://gw/api/v1/sandbox/sb1/port/8000/?liteboxd_token=sec&x=1")
                .get("Referer")).isEqualTo("https://gw/api/v1/sandbox/sb1/port/8000/?x=1");
        assertThat(request(path(), "Referer", "https://gw/p?liteboxd_share=1.sig").get("Referer"))
                .isEqualTo("https://gw/p");
        assertThat(request(path(), "Referer", "https://gw/p?a=1&liteboxd%5Ftoken=sec&b=%20").get("Referer"))
                .isEqualTo("https://gw/p?a=1&b=%20");
        assertThat(request(path(), "Referer", "https://gw/p?a=1").get("Referer")).isEqualTo("https://gw/p?a=1");
    }

    @Test
    void apiServerMode_keepsTheClientsAuthorizationOut() {
        UpstreamTarget apiServer = new UpstreamTarget(URI.create("https://api:6443/x"), Map.of(), true);
        HeaderBlock out = request(context(RouteStyle.PATH, false, apiServer), "Authorization", "Bearer client");
        assertThat(out.values("Authorization")).isEmpty();

        UpstreamTarget bearer = new UpstreamTarget(URI.create("https://api:6443/x"),
                Map.of("Authorization", "Bearer gateway"));
        assertThat(bearer.carriesGatewayIdentity()).isTrue();
        out = request(context(RouteStyle.PATH, false, bearer), "authorization", "Bearer client");
        assertThat(out.values("Authorization")).containsExactly("Bearer gateway");
    }

    @Test
    void expectIsDroppedOnEveryLeg() {
        // The container answers it (100 when the relay first reads the body); forwarded, it would be stale.
        UpstreamTarget ws = new UpstreamTarget(URI.create("ws://10.1.2.3:8000/x"));
        assertThat(request(context(RouteStyle.PATH, true, ws), "Expect", "100-continue").values("Expect")).isEmpty();
        assertThat(request(path(), "Expect", "100-continue").values("Expect")).isEmpty();
    }

    @ParameterizedTest(name = "response header {0} is dropped on path routes")
    @ValueSource(strings = {"Clear-Site-Data", "NEL", "Report-To", "Reporting-Endpoints", "Date", "Connection",
        "Transfer-Encoding", "Keep-Alive", "Sec-WebSocket-Accept", "X-Upstream-Hop"})
    void dropsResponseHeaderOnPathRoutes(String name) {
        assertThat(response(path(), "Connection", "X-Upstream-Hop", name, "v").values(name)).isEmpty();
    }

    @Test
    void hostRoutes_dropClearSiteDataKeepReportingAndAddResourcePolicy() {
        HeaderBlock out = response(host(), "Clear-Site-Data", "\"cookies\"", "NEL", "{}", "Report-To", "{}");
        assertThat(out.values("Clear-Site-Data")).isEmpty();
        assertThat(out.values("NEL")).containsExactly("{}");
        assertThat(out.values("Cross-Origin-Resource-Policy")).containsExactly("same-site");
        assertThat(response(host(), "Cross-Origin-Resource-Policy", "cross-origin")
                .values("Cross-Origin-Resource-Policy")).containsExactly("cross-origin");
        assertThat(response(path()).values("Cross-Origin-Resource-Policy")).isEmpty();
    }

    @Test
    void serviceWorkerScopeIsConfinedUnderTheMount() {
        assertThat(response(path(), "Service-Worker-Allowed", "/").get("Service-Worker-Allowed"))
                .isEqualTo(MOUNT + "/");
        assertThat(response(path(), "Service-Worker-Allowed", MOUNT + "/app/").get("Service-Worker-Allowed"))
                .isEqualTo(MOUNT + "/app/");
        for (String escape : List.of("https://gw/", "//gw/", "../", "/../../", "/a/%2e%2e/", "/a/%2E%2e/x",
                "/%2f", "\\\\x", "/a\\..\\")) {
            assertThat(response(path(), "Service-Worker-Allowed", escape).values("Service-Worker-Allowed"))
                    .as(escape).isEmpty();
        }
        assertThat(response(host(), "Service-Worker-Allowed", "/").get("Service-Worker-Allowed")).isEqualTo("/");
    }

    @Test
    void setCookieForTheGatewayIsDroppedOthersAreScoped() {
        HeaderBlock out = response(path(), "Set-Cookie", "liteboxd_token=x; Path=/", "Set-Cookie",
                "__Host-liteboxd_share=y; Path=/; Secure", "Set-Cookie", "sid=1; Path=/; Domain=gw",
                "Set-Cookie", "liteboxd_token_2=z");
        assertThat(out.values("Set-Cookie")).containsExactly("sid=1; Path=" + MOUNT + "/", "liteboxd_token_2=z");
    }

    @Test
    void locationIsMovedUnderTheMount() {
        assertThat(response(path(), "Location", "/login").get("Location")).isEqualTo(MOUNT + "/login");
        assertThat(response(host(), "Location", "/login").get("Location")).isEqualTo("/login");
    }

    @Test
    void switchingProtocolsOnlyAnswersAHandshake() {
        assertThat(policy.relays(101, path())).isFalse();
        assertThat(policy.relays(200, path())).isTrue();
        UpstreamTarget ws = new UpstreamTarget(URI.create("ws://10.1.2.3:8000/x"));
        assertThat(policy.relays(101, context(RouteStyle.PATH, true, ws))).isTrue();
    }

    @Test
    void repeatedFieldsStaySeparate() {
        HeaderBlock out = response(path(), "Set-Cookie", "a=1", "Set-Cookie", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
        assertThat(out.values("Set-Cookie")).containsExactly("a=1", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
    }

    @Test
    void detectsWebSocketUpgradeInListsCaseInsensitively() {
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("Upgrade"), List.of("websocket"))).isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive, Upgrade"), List.of("WebSocket"))).isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive", "UPGRADE"), List.of("h2c, websocket")))
                .isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive"), List.of("websocket"))).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("Upgrade"), List.of("h2c"))).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of(), List.of())).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("upgraded"), List.of("websockets"))).isFalse();
    }

    @Test
    void everyRuleNamesAHeaderAndADirection() {
        assertThat(policy.rules()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.header()).isNotBlank();
            assertThat(rule.direction()).isIn("request", "response", "both");
        });
    }
}
