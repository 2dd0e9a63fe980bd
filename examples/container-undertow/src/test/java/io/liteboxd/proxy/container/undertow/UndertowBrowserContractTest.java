package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.testkit.BrowserContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/** The browser-facing contract on the same container setup as {@link UndertowGatewayContractTest}. */
class UndertowBrowserContractTest extends BrowserContractTest {

    private final UndertowGatewayContractTest container = new UndertowGatewayContractTest();

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        return container.startGateway(setup);
    }

    @Override
    protected void stopGateway() throws Exception {
        container.stopGateway();
    }
}
