package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link UpstreamDeaths} through the Jetty frame relay. */
class UpstreamDeathFrameRelayTest extends UpstreamDeaths {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }
}
