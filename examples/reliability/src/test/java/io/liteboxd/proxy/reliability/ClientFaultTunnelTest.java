package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link ClientFaults} through the Jetty tunnel. */
class ClientFaultTunnelTest extends ClientFaults {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }
}
