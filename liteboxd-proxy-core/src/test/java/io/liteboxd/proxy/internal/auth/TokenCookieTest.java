package io.liteboxd.proxy.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenCookieTest {

    @Test
    void setCookie_hasTheDocumentedAttributes() {
        assertThat(TokenCookie.setCookie("liteboxd_token", "v1.abc-_XYZ09", "/api/v1/sandbox/sb1/", false, 60))
                .isEqualTo("liteboxd_token=v1.abc-_XYZ09; Path=/api/v1/sandbox/sb1/; Max-Age=60; HttpOnly; "
                        + "SameSite=Lax");
        assertThat(TokenCookie.setCookie("liteboxd_token", "t", "/api/v1/sandbox/sb1/", true, 60))
                .startsWith("liteboxd_token=t;").endsWith("; SameSite=Lax; Secure");
    }

    @Test
    void setCookie_onHttpsAtTheRoot_usesTheHostPrefix() {
        assertThat(TokenCookie.setCookie("liteboxd_share", "1.s", "/", true, 5))
                .isEqualTo("__Host-liteboxd_share=1.s; Path=/; Max-Age=5; HttpOnly; SameSite=Lax; Secure");
        assertThat(TokenCookie.setCookie("liteboxd_token", "t", "/", false, 5)).startsWith("liteboxd_token=t;");
    }

    @ParameterizedTest
    @ValueSource(strings = {"with space", "semi;colon", "quote\"d", "comma,d", "back\\slash", "pct%41",
            "caf\u00e9 \u2713", "cr\r\nlf"})
    void encode_neverLetsAValueEndTheCookieOrTheHeader(String token) {
        assertThat(TokenCookie.encode(token)).doesNotContain(" ", ";", "\"", ",", "\\", "\r", "\n")
                .matches("[\\x21-\\x7e]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.dG9rZW4.1780000000.abc-_XYZ09", "1780000000.abc-_XYZ09"})
    void encode_leavesTheGatewaysOwnValuesAlone(String value) {
        assertThat(TokenCookie.encode(value)).isEqualTo(value);
    }
}
