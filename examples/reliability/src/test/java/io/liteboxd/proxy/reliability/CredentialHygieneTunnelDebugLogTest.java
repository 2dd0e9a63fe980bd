package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;
import org.junit.jupiter.api.Test;

/** {@link CredentialHygiene} through the Jetty tunnel, DEBUG logging for {@code io.liteboxd}. */
class CredentialHygieneTunnelDebugLogTest extends CredentialHygiene {

    static {
        // Before any logger exists in this JVM (one JVM per test class): jetty-slf4j reads it when it starts.
        System.setProperty("io.liteboxd.LEVEL", "DEBUG");
    }

    @Override
    RelayKind relay() {
        return RelayKind.TUNNEL;
    }

    @Override
    String level() {
        return "DEBUG";
    }

    @Override
    @Test
    void noTokenInTheLog() throws Exception {
        super.noTokenInTheLog();
    }
}
