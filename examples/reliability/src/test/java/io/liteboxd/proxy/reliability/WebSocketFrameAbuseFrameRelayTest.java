package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link WebSocketFrameAbuse} through the Jetty frame relay. */
class WebSocketFrameAbuseFrameRelayTest extends WebSocketFrameAbuse {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }
}
