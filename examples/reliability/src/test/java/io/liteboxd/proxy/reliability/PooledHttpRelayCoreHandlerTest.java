package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.Gateway;

/**
 * The same keep-alive cases with {@code JettyHttpHandler} in front of the servlet context (the standalone gateway's
 * setup): the pooled relay driven from Jetty's core request and response must behave exactly as through the servlet.
 */
class PooledHttpRelayCoreHandlerTest extends PooledHttpRelayTest {

    @Override
    protected Gateway.Builder gatewayBuilder() {
        return Gateway.builder().coreHandler(true);
    }
}
