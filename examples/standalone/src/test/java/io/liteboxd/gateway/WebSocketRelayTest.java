package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The standalone runs on Jetty 12 ee10, so the library must pick its tunnel (the byte stream relayed as received,
 * frames checked in place) over the portable Jakarta bridge, and say so in the banner.
 */
class WebSocketRelayTest {

    @Test
    void theStandaloneUsesTheJettyTunnelAndSaysSo() throws Exception {
        try (GatewayServer gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0))) {
            assertThat(gateway.webSocketRelay()).startsWith("jetty-tunnel");
            assertThat(Banner.render(gateway)).contains("WebSocket relay: jetty-tunnel",
                    "Mode: demo (in-process demo sandbox)");
        }
    }
}
