package io.liteboxd.proxy.auth;

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
    @ValueSource(strings = {"plain", "with space", "semi;colon", "quote\"d", "comma,d", "back\\slash", "pct%41",
            "caf\u00e9 \u2713", "a+b/c="})
    void encodeDecode_roundTrip_andStaysACookieOctetString(String token) {
        String encoded = TokenCookie.encode(token);
        assertThat(encoded).doesNotContain(" ", ";", "\"", ",", "\\").matches("[\\x21-\\x7e]+");
        assertThat(TokenCookie.decode(encoded)).isEqualTo(token);
    }

    @Test
    void decode_leavesInvalidPercentEncodingAlone() {
        assertThat(TokenCookie.decode("a%zz")).isEqualTo("a%zz");
    }
}
