package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link ClientFaults} through the Jetty frame relay. */
class ClientFaultFrameRelayTest extends ClientFaults {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }
}
