package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link WebSocketFrameAbuse} through the portable Jakarta bridge. */
class WebSocketFrameAbuseJakartaBridgeTest extends WebSocketFrameAbuse {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }
}
