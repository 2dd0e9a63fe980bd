package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.config.ProxyConfig;

/**
 * The same contract on Undertow with every HTTP request on Jetty's {@code AsyncProxyServlet} leg
 * ({@code httpRelay=proxy-servlet}), the leg that requests with a body and TLS upstreams (the API-server proxy)
 * always take.
 */
class UndertowProxyServletContractTest extends UndertowGatewayContractTest {

    @Override
    protected ProxyConfig configure(ProxyConfig config) {
        return config.toBuilder().httpRelay(ProxyConfig.HttpRelay.PROXY_SERVLET).build();
    }
}
