package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.BrowserContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/** The browser-facing contract on the same container setup as {@link JettyGatewayContractTest}. */
class JettyBrowserContractTest extends BrowserContractTest {

    private final JettyGatewayContractTest container = newContainer();

    /** The container setup this variant runs on. */
    protected JettyGatewayContractTest newContainer() {
        return new JettyGatewayContractTest();
    }

    @Override
    protected URI startGateway(GatewaySetup setup) throws Exception {
        return container.startGateway(setup);
    }

    @Override
    protected void stopGateway() throws Exception {
        container.stopGateway();
    }
}
