package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.BrowserContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/**
 * The browser-facing contract (query-token and share-link logins and their cookies, Origin checks) with
 * {@code JettyHttpHandler} in front of the servlet context, as in {@link JettyCoreHandlerContractTest}.
 */
class JettyCoreHandlerBrowserContractTest extends BrowserContractTest {

    private final JettyCoreHandlerContractTest container = new JettyCoreHandlerContractTest();

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        return container.startGateway(setup);
    }

    @Override
    protected void stopGateway() throws Exception {
        container.stopGateway();
    }
}
