package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.BrowserContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The browser-facing contract on Jetty, once per variant of {@link JettyGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.jetty.JettyGateways#frontEnds")
class JettyBrowserContractTest extends BrowserContract {
}
