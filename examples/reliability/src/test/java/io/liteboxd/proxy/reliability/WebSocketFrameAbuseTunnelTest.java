package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link WebSocketFrameAbuse} through the Jetty tunnel. */
class WebSocketFrameAbuseTunnelTest extends WebSocketFrameAbuse {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }
}
