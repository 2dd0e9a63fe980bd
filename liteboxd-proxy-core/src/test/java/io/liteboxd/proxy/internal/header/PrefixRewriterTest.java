package io.liteboxd.proxy.internal.header;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrefixRewriterTest {

    private static final String MOUNT = "/api/v1/sandbox/abc/port/8000";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/login|/api/v1/sandbox/abc/port/8000/login",
            "/|/api/v1/sandbox/abc/port/8000/",
            "/a?next=/b#c|/api/v1/sandbox/abc/port/8000/a?next=/b#c",
            "/api/v1/sandbox/abc/port/8000/x|/api/v1/sandbox/abc/port/8000/x",
            "/api/v1/sandbox/abc/port/8000|/api/v1/sandbox/abc/port/8000",
            "/api/v1/sandbox/abc/port/80001/x|/api/v1/sandbox/abc/port/8000/api/v1/sandbox/abc/port/80001/x",
            "//evil.example/x|//evil.example/x",
            "/\\evil.example/x|/\\evil.example/x",
            "http://other.example/x|http://other.example/x",
            "relative/x|relative/x",
    })
    void location(String in, String out) {
        assertThat(PrefixRewriter.location(in, MOUNT)).isEqualTo(out);
    }

    @Test
    void location_withoutMount_isUnchanged() {
        assertThat(PrefixRewriter.location("/login", "")).isEqualTo("/login");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "sid=1; Path=/|sid=1; Path=/api/v1/sandbox/abc/port/8000/",
            "sid=1; path=/app; HttpOnly|sid=1; Path=/api/v1/sandbox/abc/port/8000/app; HttpOnly",
            "sid=1; Domain=example.com; Path=/; Secure|sid=1; Path=/api/v1/sandbox/abc/port/8000/; Secure",
            "sid=1; Path=/api/v1/sandbox/abc/port/8000/x|sid=1; Path=/api/v1/sandbox/abc/port/8000/x",
            "sid=1; HttpOnly|sid=1; HttpOnly",
            "sid=a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/|sid=a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/api/v1/sandbox/abc/port/8000/",
    })
    void setCookie(String in, String out) {
        assertThat(PrefixRewriter.setCookie(in, MOUNT)).isEqualTo(out);
    }

    @Test
    void setCookie_hostStyle_dropsDomainOnly() {
        assertThat(PrefixRewriter.setCookie("sid=1; Path=/; Domain=.sandbox.example.com", ""))
                .isEqualTo("sid=1; Path=/");
        String plain = "sid=1; Path=/";
        assertThat(PrefixRewriter.setCookie(plain, "")).isSameAs(plain);
    }

}
