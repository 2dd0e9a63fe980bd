package io.liteboxd.proxy.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialTest {

    @Test
    void headerWins_overQueryAndCookie_evenWhenTheyDisagree() {
        Credential c = of(List.of("h"), "liteboxd_token=q", List.of("liteboxd_token=c"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.HEADER);
        assertThat(c.candidates()).containsExactly("h");
    }

    @Test
    void queryWins_overCookie() {
        Credential c = of(List.of(), "a=1&liteboxd_token=q%2B1", List.of("liteboxd_token=c"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.QUERY);
        assertThat(c.candidates()).containsExactly("q+1");
    }

    @Test
    void cookie_onlyValuesThatPassTheirCheck_distinct_inOrder_bounded() {
        Credential c = of(List.of(), "a=1", List.of(
                "liteboxd_token=one; liteboxd_token=ok-one; liteboxd_token=ok-two",
                "liteboxd_token=ok-one; liteboxd_token=; __Host-liteboxd_token=ok-host",
                "liteboxd_token=ok-four; liteboxd_token=ok-five"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.COOKIE);
        assertThat(c.candidates()).containsExactly("host", "one", "two", "four");
        assertThat(c.toString()).doesNotContain("one");
    }

    @Test
    void cookie_plantedValuesCannotCrowdOutTheRealOne_upToTheBound() {
        String planted = "liteboxd_token=planted; ".repeat(Credential.MAX_COOKIE_VALUES - 1);
        assertThat(of(List.of(), null, List.of(planted + "liteboxd_token=ok-real"), true, false).candidates())
                .containsExactly("real");
        expect(() -> of(List.of(), null, List.of(planted + "liteboxd_token=x; liteboxd_token=ok-real"), true, false),
                ProxyError.TOKEN_INVALID);
    }

    @Test
    void cookie_thatFailsItsCheck_isInvalid_andDoesNotShadowAShareCookie() {
        expect(() -> of(List.of(), null, List.of("liteboxd_token=forged"), true, true), ProxyError.TOKEN_INVALID);
        expect(() -> of(List.of(), null, List.of("liteboxd_share=forged"), true, true), ProxyError.TOKEN_INVALID);
        Credential share = of(List.of(), null, List.of("liteboxd_token=forged; liteboxd_share=ok-9.s"), true, true);
        assertThat(share.source()).isEqualTo(TokenSource.SHARE_COOKIE);
        assertThat(share.candidates()).containsExactly("9.s");
    }

    @Test
    void refusals() {
        expect(() -> of(List.of(), null, List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> of(List.of(), "liteboxd_token=", List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> of(List.of(), "liteboxd_token=a&liteboxd_token=a", List.of(), true, false),
                ProxyError.BAD_REQUEST);
        expect(() -> of(List.of(), "liteboxd_token=%E2", List.of(), true, false), ProxyError.BAD_REQUEST);
        expect(() -> of(List.of("a", "b"), null, List.of("liteboxd_token=c"), true, false), ProxyError.BAD_REQUEST);
        expect(() -> of(List.of(" "), "liteboxd_token=q", List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> of(List.of(), null, List.of("liteboxd_token=; a=1"), true, false), ProxyError.TOKEN_MISSING);
    }

    @Test
    void browserAuthOff_onlyTheHeaderCounts() {
        expect(() -> of(List.of(), "liteboxd_token=q", List.of("liteboxd_token=c"), false, false),
                ProxyError.TOKEN_MISSING);
        assertThat(of(List.of("h"), null, null, false, false).candidates()).containsExactly("h");
    }

    @Test
    void shareLinks_rankAfterTheTokenParameter_andBeforeTheCookies() {
        Credential link = of(List.of(), "liteboxd_share=123.sig&x=1", List.of("liteboxd_token=c"), true,
                true);
        assertThat(link.source()).isEqualTo(TokenSource.SHARE_LINK);
        assertThat(link.candidates()).containsExactly("123.sig");
        assertThat(of(List.of(), "liteboxd_token=t&liteboxd_share=1.s", List.of(), true, true).source())
                .isEqualTo(TokenSource.QUERY);
        Credential cookie = of(List.of(), null, List.of("liteboxd_share=ok-9.s"), true, true);
        assertThat(cookie.source()).isEqualTo(TokenSource.SHARE_COOKIE);
        assertThat(cookie.source().ambient()).isTrue();
        assertThat(of(List.of(), null, List.of("liteboxd_share=ok-9.s; liteboxd_token=ok-c"), true, true)
                .source()).isEqualTo(TokenSource.COOKIE);
    }

    @Test
    void shareLinksOff_areNotACredential() {
        expect(() -> of(List.of(), "liteboxd_share=1.s", List.of("liteboxd_share=1.s"), true, false),
                ProxyError.TOKEN_MISSING);
    }

    /** Test checks: a value "ok-x" was issued by the gateway and carries "x"; any other value was not. */
    private static Credential of(List<String> headers, String query, List<String> cookies, boolean browserAuth,
                                 boolean shareLinks) {
        java.util.function.UnaryOperator<String> check = v -> v.startsWith("ok-") ? v.substring(3) : null;
        return Credential.of(headers, query, cookies, browserAuth, shareLinks, check, check);
    }

    private static void expect(Runnable r, ProxyError error) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ProxyException.class,
                e -> assertThat(e.error()).isEqualTo(error));
    }
}
