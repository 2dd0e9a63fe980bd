package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.HttpContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP half of the gateway contract through the Boot example, once per variant of {@link BootGateway#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.example.boot.BootGateway#frontEnds")
class BootHttpContractTest extends HttpContract {
}
