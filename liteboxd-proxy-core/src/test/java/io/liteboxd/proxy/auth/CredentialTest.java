package io.liteboxd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialTest {

    @Test
    void headerWins_overQueryAndCookie_evenWhenTheyDisagree() {
        Credential c = Credential.of(List.of("h"), "liteboxd_token=q", List.of("liteboxd_token=c"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.HEADER);
        assertThat(c.candidates()).containsExactly("h");
    }

    @Test
    void queryWins_overCookie() {
        Credential c = Credential.of(List.of(), "a=1&liteboxd_token=q%2B1", List.of("liteboxd_token=c"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.QUERY);
        assertThat(c.candidates()).containsExactly("q+1");
    }

    @Test
    void cookie_distinctValuesInOrder_bounded() {
        Credential c = Credential.of(List.of(), "a=1", List.of(
                "liteboxd_token=one; liteboxd_token=two", "liteboxd_token=one; liteboxd_token=; liteboxd_token=t%25x",
                "liteboxd_token=four; liteboxd_token=five"), true, false);
        assertThat(c.source()).isEqualTo(TokenSource.COOKIE);
        assertThat(c.candidates()).containsExactly("one", "two", "t%x", "four");
        assertThat(c.toString()).doesNotContain("one");
    }

    @Test
    void refusals() {
        expect(() -> Credential.of(List.of(), null, List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> Credential.of(List.of(), "liteboxd_token=", List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> Credential.of(List.of(), "liteboxd_token=a&liteboxd_token=a", List.of(), true, false),
                ProxyError.BAD_REQUEST);
        expect(() -> Credential.of(List.of(), "liteboxd_token=%E2", List.of(), true, false), ProxyError.BAD_REQUEST);
        expect(() -> Credential.of(List.of("a", "b"), null, List.of("liteboxd_token=c"), true, false), ProxyError.BAD_REQUEST);
        expect(() -> Credential.of(List.of(" "), "liteboxd_token=q", List.of(), true, false), ProxyError.TOKEN_MISSING);
        expect(() -> Credential.of(List.of(), null, List.of("liteboxd_token=; a=1"), true, false), ProxyError.TOKEN_MISSING);
    }

    @Test
    void browserAuthOff_onlyTheHeaderCounts() {
        expect(() -> Credential.of(List.of(), "liteboxd_token=q", List.of("liteboxd_token=c"), false, false),
                ProxyError.TOKEN_MISSING);
        assertThat(Credential.of(List.of("h"), null, null, false, false).candidates()).containsExactly("h");
    }

    @Test
    void shareLinks_rankAfterTheTokenParameter_andBeforeTheCookies() {
        Credential link = Credential.of(List.of(), "liteboxd_share=123.sig&x=1", List.of("liteboxd_token=c"), true,
                true);
        assertThat(link.source()).isEqualTo(TokenSource.SHARE_LINK);
        assertThat(link.candidates()).containsExactly("123.sig");
        assertThat(Credential.of(List.of(), "liteboxd_token=t&liteboxd_share=1.s", List.of(), true, true).source())
                .isEqualTo(TokenSource.QUERY);
        Credential cookie = Credential.of(List.of(), null, List.of("liteboxd_share=9.s"), true, true);
        assertThat(cookie.source()).isEqualTo(TokenSource.SHARE_COOKIE);
        assertThat(cookie.source().ambient()).isTrue();
        assertThat(Credential.of(List.of(), null, List.of("liteboxd_share=9.s; liteboxd_token=c"), true, true)
                .source()).isEqualTo(TokenSource.COOKIE);
    }

    @Test
    void shareLinksOff_areNotACredential() {
        expect(() -> Credential.of(List.of(), "liteboxd_share=1.s", List.of("liteboxd_share=1.s"), true, false),
                ProxyError.TOKEN_MISSING);
    }

    private static void expect(Runnable r, ProxyError error) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ProxyException.class,
                e -> assertThat(e.error()).isEqualTo(error));
    }
}
