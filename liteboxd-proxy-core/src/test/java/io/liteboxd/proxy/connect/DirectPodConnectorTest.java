package io.liteboxd.proxy.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectPodConnectorTest {

    private final DirectPodConnector connector = new DirectPodConnector();
    private final RouteParser routes = new RouteParser("/api/v1/sandbox");

    @Test
    void buildsHttpAndWebSocketTargetsWithTheRawPathAndQuery() {
        SandboxRoute route = routes.parse("/api/v1/sandbox/abc/port/8888/a%2Fb/c%20d/%E4%BD%A0", "x=%2F&y=1");
        Sandbox sandbox = Sandbox.ready("abc", "10.1.2.3");

        UpstreamTarget http = connector.target(sandbox, route, Transport.HTTP);
        assertThat(http.uri().toString()).isEqualTo("http://10.1.2.3:8888/a%2Fb/c%20d/%E4%BD%A0?x=%2F&y=1");
        assertThat(http.uri().getRawPath()).isEqualTo("/a%2Fb/c%20d/%E4%BD%A0");
        assertThat(http.headers()).isEmpty();

        UpstreamTarget ws = connector.target(sandbox, route, Transport.WEBSOCKET);
        assertThat(ws.uri().toString()).isEqualTo("ws://10.1.2.3:8888/a%2Fb/c%20d/%E4%BD%A0?x=%2F&y=1");
    }

    @Test
    void bracketsIpv6PodAddresses() {
        SandboxRoute route = routes.parse("/api/v1/sandbox/abc/port/80", null);
        UpstreamTarget t = connector.target(Sandbox.ready("abc", "fd00::12"), route, Transport.HTTP);
        assertThat(t.uri().toString()).isEqualTo("http://[fd00::12]:80/");
        assertThat(t.uri().getHost()).isEqualTo("[fd00::12]");
    }

    @Test
    void aSandboxWithoutAddressIsNotReady() {
        SandboxRoute route = routes.parse("/api/v1/sandbox/abc/port/80", null);
        Sandbox noIp = new Sandbox("abc", null, true, Set.of());
        assertThatThrownBy(() -> connector.target(noIp, route, Transport.HTTP))
                .isInstanceOfSatisfying(ProxyException.class,
                        e -> assertThat(e.error()).isEqualTo(ProxyError.SANDBOX_NOT_READY));
    }

    @Test
    void aPathThatIsNotAUriIsABadRoute() {
        SandboxRoute route = routes.parse("/api/v1/sandbox/abc/port/80/a b", null);
        assertThatThrownBy(() -> connector.target(Sandbox.ready("abc", "10.0.0.1"), route, Transport.HTTP))
                .isInstanceOfSatisfying(ProxyException.class,
                        e -> assertThat(e.status()).isEqualTo(400));
    }
}
