package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link CredentialHygiene} through the Jetty frame relay, INFO logging for {@code io.liteboxd}. */
class CredentialHygieneFrameRelayInfoLogTest extends CredentialHygiene {

    @Override
    RelayKind relay() {
        return RelayKind.FRAME_RELAY;
    }

    @Override
    String level() {
        return "INFO";
    }
}
