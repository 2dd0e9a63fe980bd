package io.liteboxd.proxy.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NavigationLoginTest {

    private static final String PATH = "/ctx/api/v1/sandbox/abc/port/8080/x%2Fy/";
    private static final SandboxRoute ROUTE = new SandboxRoute("/api/v1/sandbox", "abc", 8080, "/x%2Fy/", null);
    private static final Admission QUERY = admission(TokenSource.QUERY, "v1.signed");

    @Test
    void aNavigationWithTheParameter_goesToTheSameUrlWithoutIt_everyOtherParameterKeptAsSent() {
        assertThat(NavigationLogin.location(QUERY, "GET", "navigate", "document", null, PATH,
                "a=%7E&liteboxd_token=t&b=x+y&c=%c3%a9&a=2")).isEqualTo(PATH + "?a=%7E&b=x+y&c=%c3%a9&a=2");
        assertThat(NavigationLogin.location(QUERY, "HEAD", null, "document", null, PATH, "liteboxd_token=t"))
                .isEqualTo(PATH);
        assertThat(NavigationLogin.location(admission(TokenSource.SHARE_LINK, "1.s"), "GET", "navigate", null, null,
                PATH, "liteboxd_share=1.s&k")).isEqualTo(PATH + "?k");
    }

    @Test
    void withoutFetchMetadata_anAcceptForHtml_isANavigation() {
        assertThat(NavigationLogin.location(QUERY, "GET", null, null, "text/html,application/xhtml+xml;q=0.9", PATH,
                "liteboxd_token=t")).isEqualTo(PATH);
        assertThat(NavigationLogin.location(QUERY, "GET", null, null, "application/json", PATH, "liteboxd_token=t"))
                .isNull();
        assertThat(NavigationLogin.location(QUERY, "GET", null, null, null, PATH, "liteboxd_token=t")).isNull();
        assertThat(NavigationLogin.location(QUERY, "GET", "cors", "empty", "text/html", PATH, "liteboxd_token=t"))
                .as("fetch metadata wins over Accept").isNull();
    }

    @Test
    void otherRequests_areRelayed() {
        assertThat(NavigationLogin.location(QUERY, "POST", "navigate", "document", "text/html", PATH,
                "liteboxd_token=t")).isNull();
        assertThat(NavigationLogin.location(admission(TokenSource.HEADER, null), "GET", "navigate", null, null, PATH,
                null)).isNull();
        assertThat(NavigationLogin.location(admission(TokenSource.COOKIE, null), "GET", "navigate", null, null, PATH,
                null)).isNull();
        assertThat(NavigationLogin.location(admission(TokenSource.QUERY, null), "GET", "navigate", null, null, PATH,
                "liteboxd_token=t")).as("no cookie to set").isNull();
    }

    @Test
    void aPathThatWouldNameAnotherHost_isNeverALocation() {
        assertThat(NavigationLogin.location(QUERY, "GET", "navigate", null, null, "//evil.example/x",
                "liteboxd_token=t")).isNull();
        assertThat(NavigationLogin.location(QUERY, "GET", "navigate", null, null, "/\\evil.example/x",
                "liteboxd_token=t")).isNull();
    }

    @Test
    void theRedirectSendsNoRefererAndIsNotCached() {
        assertThat(NavigationLogin.STATUS).isEqualTo(303);
        assertThat(NavigationLogin.HEADERS).isEqualTo(Map.of("Referrer-Policy", "no-referrer",
                "Cache-Control", "no-store"));
    }

    private static Admission admission(TokenSource source, String cookie) {
        return new Admission(ROUTE, Sandbox.ready("abc", "10.0.0.9"),
                new UpstreamTarget(URI.create("http://10.0.0.9:8080/x"), Map.of()), source, "t", cookie, false,
                false);
    }
}
