package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link ClientFaults} through the portable Jakarta bridge. */
class ClientFaultJakartaBridgeTest extends ClientFaults {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }
}
