package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.testkit.BrowserContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/** The browser-facing contract on the same container setup as {@link TomcatGatewayContractTest}. */
class TomcatBrowserContractTest extends BrowserContractTest {

    private final TomcatGatewayContractTest container = new TomcatGatewayContractTest();

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        return container.startGateway(setup);
    }

    @Override
    protected void stopGateway() throws Exception {
        container.stopGateway();
    }
}
