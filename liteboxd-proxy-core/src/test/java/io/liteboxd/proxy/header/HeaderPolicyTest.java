package io.liteboxd.proxy.header;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderPolicyTest {

    private final HeaderPolicy policy = HeaderPolicy.forRequest(List.of("keep-alive, X-Secret-Hop", "Upgrade"));

    @ParameterizedTest(name = "{0} is not forwarded")
    @ValueSource(strings = {"Connection", "connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Authenticate",
            "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "HTTP2-Settings",
            "X-Access-Token", "x-access-token", "X-ACCESS-TOKEN", "Host", "Content-Length", "Expect",
            "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Accept", "X-Secret-Hop", "x-secret-hop"})
    void dropsHopByHopCredentialAndRecomputedHeaders(String name) {
        assertThat(policy.forwards(name)).isFalse();
    }

    @ParameterizedTest(name = "{0} is forwarded")
    @ValueSource(strings = {"Authorization", "Cookie", "Origin", "User-Agent", "Accept", "Accept-Encoding",
            "X-Request-ID", "Content-Type", "X-Custom", "Sec-Fetch-Mode", "X-Access-Token-Hint"})
    void forwardsEndToEndHeaders(String name) {
        assertThat(policy.forwards(name)).isTrue();
    }

    @Test
    void detectsWebSocketUpgradeInListsCaseInsensitively() {
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("Upgrade"), List.of("websocket"))).isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive, Upgrade"), List.of("WebSocket"))).isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive", "UPGRADE"), List.of("h2c, websocket")))
                .isTrue();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("keep-alive"), List.of("websocket"))).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("Upgrade"), List.of("h2c"))).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of(), List.of())).isFalse();
        assertThat(HeaderPolicy.isWebSocketUpgrade(List.of("upgraded"), List.of("websockets"))).isFalse();
    }

    @Test
    void responseHeadersOfTheUpstreamHandshakeAreFilteredToEndToEndOnes() {
        assertThat(HeaderPolicy.forwardsResponseHeader("Set-Cookie")).isTrue();
        assertThat(HeaderPolicy.forwardsResponseHeader("X-App")).isTrue();
        assertThat(HeaderPolicy.forwardsResponseHeader("Sec-WebSocket-Accept")).isFalse();
        assertThat(HeaderPolicy.forwardsResponseHeader("Sec-WebSocket-Protocol")).isFalse();
        assertThat(HeaderPolicy.forwardsResponseHeader("Upgrade")).isFalse();
        assertThat(HeaderPolicy.forwardsResponseHeader("connection")).isFalse();
        assertThat(HeaderPolicy.forwardsResponseHeader("Date")).isFalse();
    }
}
