package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.testkit.BrowserContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The browser-facing contract on Tomcat, once per variant of {@link TomcatGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.tomcat.TomcatGateways#frontEnds")
class TomcatBrowserContractTest extends BrowserContract {
}
