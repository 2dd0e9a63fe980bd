package io.liteboxd.proxy.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.route.SandboxRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteParserTest {

    private final RouteParser parser = new RouteParser("/api/v1/sandbox");

    @ParameterizedTest(name = "{0} -> id={1} port={2} path={3}")
    @CsvSource(delimiter = '|', value = {
            "/api/v1/sandbox/abc12345/port/8080/index.html | abc12345 | 8080 | /index.html",
            "/api/v1/sandbox/abc/port/80 | abc | 80 | /",
            "/api/v1/sandbox/abc/port/80/ | abc | 80 | /",
            "/api/v1/sandbox/a/port/1/x | a | 1 | /x",
            "/api/v1/sandbox/a-b-c/port/65535/x/y/ | a-b-c | 65535 | /x/y/",
            "/api/v1/sandbox/abc/port/80/a%2Fb | abc | 80 | /a%2Fb",
            "/api/v1/sandbox/abc/port/80/a%20b | abc | 80 | /a%20b",
            "/api/v1/sandbox/abc/port/80/%E4%BD%A0%E5%A5%BD | abc | 80 | /%E4%BD%A0%E5%A5%BD",
            "/api/v1/sandbox/abc/port/80/a/../b | abc | 80 | /a/../b",
            "/api/v1/sandbox/abc/port/80/./x | abc | 80 | /./x",
            "/api/v1/sandbox/abc/port/80//double//slash | abc | 80 | //double//slash",
            "/api/v1/sandbox/abc/port/80/x;jsessionid=1 | abc | 80 | /x;jsessionid=1",
            "/api/v1/sandbox/0123456789012345678901234567890123456789012345678901234567890ab/port/80/ | 0123456789012345678901234567890123456789012345678901234567890ab | 80 | /",
    })
    void acceptsValidRoutes(String raw, String id, int port, String path) {
        SandboxRoute route = parser.parse(raw, null);
        assertThat(route.sandboxId()).isEqualTo(id);
        assertThat(route.port()).isEqualTo(port);
        assertThat(route.path()).isEqualTo(path);
        assertThat(route.query()).isNull();
        assertThat(route.mountPath()).isEqualTo("/api/v1/sandbox/" + id + "/port/" + port);
    }

    @Test
    void keepsQueryByteForByte() {
        SandboxRoute route = parser.parse("/api/v1/sandbox/abc/port/80/x", "a=1&b=%2F%20&c=&&d=%E4%BD%A0");
        assertThat(route.query()).isEqualTo("a=1&b=%2F%20&c=&&d=%E4%BD%A0");
        assertThat(route.pathAndQuery()).isEqualTo("/x?a=1&b=%2F%20&c=&&d=%E4%BD%A0");
    }

    @Test
    void keepsEmptyQueryDistinctFromNone() {
        assertThat(parser.parse("/api/v1/sandbox/abc/port/80/x", "").pathAndQuery()).isEqualTo("/x?");
        assertThat(parser.parse("/api/v1/sandbox/abc/port/80/x", null).pathAndQuery()).isEqualTo("/x");
    }

    @ParameterizedTest(name = "port \"{0}\" is refused")
    @ValueSource(strings = {"0", "65536", "-1", "+80", "080", "00080", "80abc", "abc", "8 0", "99999",
            "12345678901234567890", "", " 80", "80 ", "0x50", "８０", "1e3", "80.0", "%38%30"})
    void refusesBadPorts(String port) {
        assertRefused("/api/v1/sandbox/abc/port/" + port + "/x");
    }

    @ParameterizedTest(name = "sandbox id \"{0}\" is refused")
    @ValueSource(strings = {"", "ABC", "a_b", "-abc", "abc-", "a.b", "a%2Fb", "a b", "ａｂｃ", "abc!", "..", ".",
            "0123456789012345678901234567890123456789012345678901234567890abc"})
    void refusesBadSandboxIds(String id) {
        assertRefused("/api/v1/sandbox/" + id + "/port/80/x");
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {
            "/api/v1/sandbox", "/api/v1/sandbox/", "/api/v1/sandbox/abc", "/api/v1/sandbox/abc/",
            "/api/v1/sandbox/abc/port", "/api/v1/sandbox/abc/port/", "/api/v1/sandbox/abc/ports/80/x",
            "/api/v1/sandbox/abc/PORT/80/x", "/api/v1/sandboxes/abc/port/80/x", "/other/abc/port/80",
            "/api/v1/sandbox//port/80/x", "/api/v1/sandbox/abc//port/80/x"})
    void refusesMalformedRoutes(String raw) {
        assertRefused(raw);
    }

    @ParameterizedTest(name = "traversal {0} is refused")
    @ValueSource(strings = {
            "/..", "/../", "/../x", "/a/../..", "/a/../../b", "/./../x", "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x",
            "/%2e./x", "/a/%2e%2e/%2e%2e/x", "/..%2Fx", "/a/..%2F..%2Fx", "/..%5Cx", "/..\\x", "/a\\..\\..\\x",
            "/%252e%252e/x", "/%252e%252e%252fx", "/a/b/../../../secrets", "/..;/x"})
    void refusesPathsThatClimbOutOfTheSandboxRoot(String path) {
        if (path.equals("/..;/x")) {
            // "..;" is not a dot-segment for URI resolution; it must pass through untouched.
            assertThat(parser.parse("/api/v1/sandbox/abc/port/80" + path, null).path()).isEqualTo(path);
            return;
        }
        assertRefused("/api/v1/sandbox/abc/port/80" + path);
    }

    @ParameterizedTest(name = "control characters in {0} are refused")
    @ValueSource(strings = {"/a\u0000b", "/a\rb", "/a\nb", "/a\tb", "/a\u007fb", "/a%00b", "/a%0Ab", "/a%0d%0ab"})
    void refusesControlCharactersInPath(String path) {
        assertRefused("/api/v1/sandbox/abc/port/80" + path);
    }

    @Test
    void refusesRawControlCharactersInQueryButKeepsEncodedOnes() {
        assertThatThrownBy(() -> parser.parse("/api/v1/sandbox/abc/port/80/x", "a=\r\nb"))
                .isInstanceOf(ProxyException.class);
        assertThat(parser.parse("/api/v1/sandbox/abc/port/80/x", "text=line1%0Aline2").query())
                .isEqualTo("text=line1%0Aline2");
    }

    @Test
    void honoursACustomPrefix() {
        RouteParser custom = new RouteParser("/sbx");
        SandboxRoute route = custom.parse("/sbx/abc/port/3000/app", "q=1");
        assertThat(route.mountPath()).isEqualTo("/sbx/abc/port/3000");
        assertThatThrownBy(() -> custom.parse("/api/v1/sandbox/abc/port/3000/app", null))
                .isInstanceOf(ProxyException.class);
        assertThatThrownBy(() -> new RouteParser("sbx")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouteParser("/sbx/")).isInstanceOf(IllegalArgumentException.class);
    }

    private void assertRefused(String raw) {
        assertThatThrownBy(() -> parser.parse(raw, null))
                .isInstanceOfSatisfying(ProxyException.class, e -> {
                    assertThat(e.error()).isEqualTo(ProxyError.ROUTE_INVALID);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }
}
