package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.HttpContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP half of the gateway contract on Jetty, once per variant of {@link JettyGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.jetty.JettyGateways#frontEnds")
class JettyHttpContractTest extends HttpContract {
}
