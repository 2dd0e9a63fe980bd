package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.config.ProxyConfig;

/** The same contract on Jetty with the frame relay chosen ({@code webSocketRelay=frames}). */
class JettyFrameRelayContractTest extends JettyGatewayContractTest {

    @Override
    protected String expectedRelay() {
        return "jetty-frame-relay";
    }

    @Override
    protected ProxyConfig configure(ProxyConfig config) {
        return config.toBuilder().webSocketRelay(ProxyConfig.WebSocketRelay.FRAMES).build();
    }
}
