package io.liteboxd.proxy.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.route.RouteStyle;
import io.liteboxd.proxy.route.SandboxRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostRouteParserTest {

    private final HostRouteParser parser = new HostRouteParser("sandbox.example.com");

    @Test
    void parsesPortAndId_andKeepsWholePathAndQuery() {
        SandboxRoute r = parser.parse("8000-abc-12.Sandbox.Example.com:8443", "/static/a%2Fb.js", "v=1&x=%7E")
                .orElseThrow();
        assertThat(r.style()).isEqualTo(RouteStyle.HOST);
        assertThat(r.port()).isEqualTo(8000);
        assertThat(r.sandboxId()).isEqualTo("abc-12");
        assertThat(r.path()).isEqualTo("/static/a%2Fb.js");
        assertThat(r.query()).isEqualTo("v=1&x=%7E");
        assertThat(r.mountPath()).isEmpty();
        assertThat(r.sandboxPath()).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandbox.example.com", "example.com", "a.8000-abc.sandbox.example.com", "127.0.0.1:8080",
            "[::1]:8080", "", "xsandbox.example.com"})
    void otherHosts_areNotSandboxHosts(String host) {
        assertThat(parser.parse(host, "/", null)).isEmpty();
        assertThat(parser.parse(null, "/", null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8000.sandbox.example.com", "abc-8000.sandbox.example.com", "0-abc.sandbox.example.com",
            "70000-abc.sandbox.example.com", "8000-.sandbox.example.com", "8000-abc-.sandbox.example.com",
            "-abc.sandbox.example.com"})
    void malformedSandboxHosts_areRefused(String host) {
        assertThatThrownBy(() -> parser.parse(host, "/", null)).isInstanceOfSatisfying(ProxyException.class,
                e -> assertThat(e.error()).isEqualTo(ProxyError.ROUTE_INVALID));
    }

    @Test
    void pathChecksStillApply() {
        for (String path : new String[] {"/../x", "/a/%2e%2e/%2e%2e/x", "/x%0d%0a"}) {
            assertThatThrownBy(() -> parser.parse("8000-abc.sandbox.example.com", path, null))
                    .as(path).isInstanceOf(ProxyException.class);
        }
    }
}
