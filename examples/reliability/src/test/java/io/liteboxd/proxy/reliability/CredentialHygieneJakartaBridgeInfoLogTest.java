package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;

/** {@link CredentialHygiene} through the portable Jakarta bridge, INFO logging for {@code io.liteboxd}. */
class CredentialHygieneJakartaBridgeInfoLogTest extends CredentialHygiene {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }

    @Override
    String level() {
        return "INFO";
    }
}
