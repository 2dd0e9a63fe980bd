package io.liteboxd.proxy.reliability;

import io.liteboxd.proxy.reliability.support.RelayKind;
import org.junit.jupiter.api.Test;

/** {@link SlowReaders} through the portable Jakarta bridge. */
class SlowReaderJakartaBridgeTest extends SlowReaders {

    @Override
    RelayKind relay() {
        return RelayKind.JAKARTA_BRIDGE;
    }

    @Override
    @Test
    void twoHundredStalledReadersDoNotStopFragmentsOrClosesToAFreshClient() throws Exception {
        super.twoHundredStalledReadersDoNotStopFragmentsOrClosesToAFreshClient();
    }
}
