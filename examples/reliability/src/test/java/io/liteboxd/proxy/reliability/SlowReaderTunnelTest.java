package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link SlowReaders} through the Jetty tunnel. */
class SlowReaderTunnelTest extends SlowReaders {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }
}
