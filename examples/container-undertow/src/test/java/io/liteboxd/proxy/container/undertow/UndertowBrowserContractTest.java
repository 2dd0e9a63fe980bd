package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.testkit.BrowserContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The browser-facing contract on Undertow, once per variant of {@link UndertowGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.undertow.UndertowGateways#frontEnds")
class UndertowBrowserContractTest extends BrowserContract {
}
