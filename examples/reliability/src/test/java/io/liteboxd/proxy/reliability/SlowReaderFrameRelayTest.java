package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link SlowReaders} through the Jetty frame relay. */
class SlowReaderFrameRelayTest extends SlowReaders {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }
}
