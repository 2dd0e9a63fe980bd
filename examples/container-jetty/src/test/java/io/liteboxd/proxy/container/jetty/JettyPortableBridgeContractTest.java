package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.config.ProxyConfig;

/**
 * The same contract on Jetty with the portable Jakarta bridge forced for WebSockets, so every relay is held to it.
 */
class JettyPortableBridgeContractTest extends JettyGatewayContractTest {

    @Override
    protected String expectedRelay() {
        return "jakarta-bridge";
    }

    @Override
    protected ProxyConfig configure(ProxyConfig config) {
        return config.toBuilder().webSocketRelay(ProxyConfig.WebSocketRelay.JAKARTA).build();
    }
}
