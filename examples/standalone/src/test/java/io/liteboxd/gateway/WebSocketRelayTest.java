package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The standalone ships Jetty's native WebSocket server, so the library must pick its frame relay (frames
 * forwarded without decoding) over the portable Jakarta bridge. Fails if that artifact is dropped from the pom.
 */
class WebSocketRelayTest {

    @Test
    void theStandaloneUsesTheJettyFrameRelayAndSaysSo() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0))) {
            assertThat(gateway.webSocketRelay()).startsWith("jetty-frame-relay");
            assertThat(Banner.render(gateway)).contains("WebSocket relay: jetty-frame-relay",
                    "Mode: demo (in-process demo sandbox)");
        }
    }
}
