package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.GatewayContractTest;
import io.liteboxd.proxy.testkit.GatewaySetup;
import java.net.URI;

/** Every HTTP and WebSocket case of the gateway contract, through the Boot example ({@link BootGateway}). */
class BootGatewayContractTest extends GatewayContractTest {

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
