package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link LoadAndLeaks} through the Jetty tunnel. */
class LoadAndLeakTunnelTest extends LoadAndLeaks {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }
}
