package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.FilterInFrontContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The application filter in front of the gateway through the Boot example, once per variant of {@link BootGateway#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.example.boot.BootGateway#frontEnds")
class BootFilterInFrontContractTest extends FilterInFrontContract {
}
