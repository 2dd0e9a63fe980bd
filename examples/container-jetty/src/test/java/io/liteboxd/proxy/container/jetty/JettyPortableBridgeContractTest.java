package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.config.ProxyConfig;

/**
 * The same contract on Jetty with the library's most conservative choices forced, so every relay is held to it:
 * the portable Jakarta bridge for WebSockets and Jetty's AsyncProxyServlet for every HTTP request.
 */
class JettyPortableBridgeContractTest extends JettyGatewayContractTest {

    @Override
    protected String expectedRelay() {
        return "jakarta-bridge";
    }

    @Override
    protected String expectedHttpRelay() {
        return "proxy-servlet";
    }

    @Override
    protected ProxyConfig configure(ProxyConfig config) {
        return config.toBuilder().webSocketRelay(ProxyConfig.WebSocketRelay.JAKARTA)
                .httpRelay(ProxyConfig.HttpRelay.PROXY_SERVLET).build();
    }
}
