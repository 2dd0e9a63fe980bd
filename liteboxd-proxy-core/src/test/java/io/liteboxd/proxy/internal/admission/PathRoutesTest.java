package io.liteboxd.proxy.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.config.ProxyConfig.PathRoutes;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.route.RouteStyle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ProxyConfig#pathRoutes()}: path-style routes on, header-only or off, and never on the base domain's hosts. */
class PathRoutesTest {

    private static final String BASE = "sandbox.example.com";
    private static final String PATH = "/api/v1/sandbox/abc/port/8080/x";
    private static final String SECRET = "a-share-link-secret-of-at-least-32-bytes";
    private static final StaticSandboxes SANDBOXES = new StaticSandboxes(List.of(
            new StaticSandboxes.Entry(Sandbox.ready("abc", "10.0.0.9"), "good")));

    private static final GatewayCookies COOKIES = new GatewayCookies(SECRET);

    private static SandboxGateway gateway(PathRoutes routes, String baseDomain) {
        return new SandboxGateway(ProxyConfig.builder().baseDomain(baseDomain).pathRoutes(routes)
                .shareLinkSecret(SECRET).cookieSecret(SECRET).build(), SANDBOXES.authenticator(), SANDBOXES.resolver(),
                new DirectPodConnector());
    }

    private static GatewayRequest request(String host, String path, String query, List<String> header,
                                          List<String> cookies) {
        return new GatewayRequest("GET", host, path, query, header, cookies, null, Transport.HTTP, "");
    }

    private static void expect(Runnable r, ProxyError error) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ProxyException.class,
                e -> assertThat(e.error()).as(e.getMessage()).isEqualTo(error));
    }

    @Test
    void defaultIsOn_withAndWithoutBaseDomain() {
        assertThat(ProxyConfig.defaults().pathRoutes()).isEqualTo(PathRoutes.ON);
        assertThat(ProxyConfig.builder().baseDomain(BASE).build().pathRoutes()).isEqualTo(PathRoutes.ON);
    }

    @ParameterizedTest
    @CsvSource({"on,ON", "header-only,HEADER_ONLY", "HEADER_ONLY,HEADER_ONLY", " Off ,OFF"})
    void isReadFromInitParamsAndEnvironment(String text, PathRoutes expected) {
        Map<String, String> params = Map.of("pathRoutes", text, "baseDomain", BASE);
        assertThat(ProxyConfig.from(params::get, Map.of()).pathRoutes()).isEqualTo(expected);
        assertThat(ProxyConfig.from(k -> null, Map.of("LITEBOXD_PATH_ROUTES", text, "LITEBOXD_BASE_DOMAIN", BASE))
                .pathRoutes()).isEqualTo(expected);
        assertThat(ProxyConfig.from(params::get, Map.of()).toBuilder().build().pathRoutes()).isEqualTo(expected);
    }

    @Test
    void unknownValuesAndOffWithoutBaseDomainAreRefused() {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("pathRoutes", "browser")::get, Map.of()))
                .hasMessageContaining("pathRoutes").hasMessageContaining("header-only");
        assertThatThrownBy(() -> ProxyConfig.builder().pathRoutes(PathRoutes.OFF).build())
                .hasMessageContaining("baseDomain");
    }

    @ParameterizedTest
    @EnumSource(PathRoutes.class)
    void pathRoute_isNeverServedOnTheBaseDomainOrDeeperNamesUnderIt(PathRoutes routes) {
        SandboxGateway gateway = gateway(routes, BASE);
        for (String host : List.of(BASE, BASE + ":8443", "SANDBOX.example.com.", "a.b." + BASE,
                "8080-abc.x." + BASE)) {
            expect(() -> gateway.admit(request(host, PATH, null, List.of("good"), List.of())),
                    ProxyError.ROUTE_NOT_FOUND);
            expect(() -> gateway.route(host, PATH, null), ProxyError.ROUTE_NOT_FOUND);
        }
        // One label in front is a sandbox host, and one that does not spell {port}-{id} is malformed.
        expect(() -> gateway.admit(request("www." + BASE, PATH, null, List.of("good"), List.of())),
                ProxyError.ROUTE_INVALID);
    }

    @Test
    void hostRoutes_andPathRoutesOnOtherHosts_areUnchangedWhenOn() {
        SandboxGateway gateway = gateway(PathRoutes.ON, BASE);
        Admission byHost = gateway.admit(request("8080-abc." + BASE, "/x", "liteboxd_token=good", List.of(),
                List.of()));
        assertThat(byHost.route().style()).isEqualTo(RouteStyle.HOST);
        for (String host : List.of("gw.example.com", "127.0.0.1:8080", "[::1]:8080", "notsandbox.example.com")) {
            Admission byPath = gateway.admit(request(host, PATH, "liteboxd_token=good", List.of(), List.of()));
            assertThat(byPath.route().style()).isEqualTo(RouteStyle.PATH);
            assertThat(byPath.tokenSource()).isEqualTo(TokenSource.QUERY);
        }
        Admission noHost = gateway.admit(request(null, PATH, null, List.of(),
                List.of("liteboxd_token=" + COOKIES.sign("abc", "/api/v1/sandbox/abc/", "good"))));
        assertThat(noHost.tokenSource()).isEqualTo(TokenSource.COOKIE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"query", "cookie", "share", "shareCookie"})
    void headerOnly_refusesEveryBrowserCredentialOnPathRoutes_butNotOnHostRoutes(String kind) {
        SandboxGateway gateway = gateway(PathRoutes.HEADER_ONLY, BASE);
        String share = new ShareLinks(SECRET).sign("abc", 8080, Duration.ofMinutes(5));
        String query = switch (kind) {
            case "query" -> "liteboxd_token=good";
            case "share" -> "liteboxd_share=" + share;
            default -> null;
        };
        List<String> cookies = switch (kind) {
            case "cookie" -> List.of("liteboxd_token=" + COOKIES.sign("abc", "/", "good"));
            case "shareCookie" -> List.of("liteboxd_share=" + share);
            default -> List.of();
        };
        assertThatThrownBy(() -> gateway.admit(request("gw.example.com", PATH, query, List.of(), cookies)))
                .isInstanceOfSatisfying(ProxyException.class, e -> {
                    assertThat(e.error()).isEqualTo(ProxyError.TOKEN_MISSING);
                    assertThat(e.getMessage()).contains("X-Access-Token").doesNotContain("cookie");
                });
        Admission byHost = gateway.admit(request("8080-abc." + BASE, "/x", query, List.of(), cookies));
        assertThat(byHost.tokenSource().ambient() || byHost.tokenSource() != TokenSource.HEADER).isTrue();
    }

    @Test
    void headerOnly_admitsTheHeader_andStillStripsTheIgnoredParameters() {
        Admission a = gateway(PathRoutes.HEADER_ONLY, BASE).admit(request("gw.example.com", PATH,
                "a=1&liteboxd_token=other&liteboxd_share=x", List.of("good"), List.of()));
        assertThat(a.tokenSource()).isEqualTo(TokenSource.HEADER);
        assertThat(a.target().uri().toString()).isEqualTo("http://10.0.0.9:8080/x?a=1");
    }

    @Test
    void off_refusesEveryPathRoute_andKeepsHostRoutes() {
        SandboxGateway gateway = gateway(PathRoutes.OFF, BASE);
        expect(() -> gateway.admit(request("gw.example.com", PATH, null, List.of("good"), List.of())),
                ProxyError.ROUTE_NOT_FOUND);
        expect(() -> gateway.admit(request(null, PATH, null, List.of("good"), List.of())),
                ProxyError.ROUTE_NOT_FOUND);
        expect(() -> gateway.route("gw.example.com", PATH, null), ProxyError.ROUTE_NOT_FOUND);
        assertThat(gateway.admit(request("8080-abc." + BASE, "/x", null, List.of("good"), List.of()))
                .route().style()).isEqualTo(RouteStyle.HOST);
    }

    @Test
    void malformedSandboxHost_isStillRouteInvalid() {
        expect(() -> gateway(PathRoutes.ON, BASE).admit(request("nope-abc." + BASE, "/x", null, List.of("good"),
                List.of())), ProxyError.ROUTE_INVALID);
    }
}
