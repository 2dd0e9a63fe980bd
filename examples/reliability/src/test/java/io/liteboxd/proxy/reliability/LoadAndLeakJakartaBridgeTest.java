package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link LoadAndLeaks} through the portable Jakarta bridge. */
class LoadAndLeakJakartaBridgeTest extends LoadAndLeaks {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }
}
