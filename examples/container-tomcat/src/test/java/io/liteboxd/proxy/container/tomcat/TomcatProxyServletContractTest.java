package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.config.ProxyConfig;

/**
 * The same contract on Tomcat with every HTTP request on Jetty's {@code AsyncProxyServlet} leg
 * ({@code httpRelay=proxy-servlet}), the leg that requests with a body and TLS upstreams (the API-server proxy)
 * always take: streamed events must still arrive one by one through Tomcat's response buffer.
 */
class TomcatProxyServletContractTest extends TomcatGatewayContractTest {

    @Override
    protected ProxyConfig configure(ProxyConfig config) {
        return config.toBuilder().httpRelay(ProxyConfig.HttpRelay.PROXY_SERVLET).build();
    }
}
