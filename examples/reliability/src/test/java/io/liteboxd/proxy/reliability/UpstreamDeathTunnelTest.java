package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link UpstreamDeaths} through the Jetty tunnel. */
class UpstreamDeathTunnelTest extends UpstreamDeaths {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }
}
