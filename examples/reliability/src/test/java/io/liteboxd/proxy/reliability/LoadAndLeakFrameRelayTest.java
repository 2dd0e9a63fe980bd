package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link LoadAndLeaks} through the Jetty frame relay. */
class LoadAndLeakFrameRelayTest extends LoadAndLeaks {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }
}
