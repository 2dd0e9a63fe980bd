package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.BrowserContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/** The browser cases (query-token and share-link cookies, Origin checks) through the Boot example. */
class BootBrowserContractTest extends BrowserContractTest {

    private BootGateway boot;

    @Override
    protected URI startGateway(GatewaySetup setup) {
        boot = BootGateway.start(setup);
        return boot.uri();
    }

    @Override
    protected void stopGateway() {
        if (boot != null) {
            boot.close();
        }
    }
}
