package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link UpstreamDeaths} through the portable Jakarta bridge. */
class UpstreamDeathJakartaBridgeTest extends UpstreamDeaths {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }
}
