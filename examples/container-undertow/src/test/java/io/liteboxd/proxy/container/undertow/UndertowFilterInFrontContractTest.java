package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.testkit.FilterInFrontContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The application filter in front of the gateway on Undertow, once per variant of {@link UndertowGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.undertow.UndertowGateways#frontEnds")
class UndertowFilterInFrontContractTest extends FilterInFrontContract {
}
