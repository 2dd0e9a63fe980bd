package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link CredentialHygiene} through the Jetty tunnel, INFO logging for {@code io.liteboxd}. */
class CredentialHygieneTunnelInfoLogTest extends CredentialHygiene {

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }

    @Override
    String level() {
        return "INFO";
    }
}
