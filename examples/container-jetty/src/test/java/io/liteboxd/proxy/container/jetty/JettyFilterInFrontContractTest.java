package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.FilterInFrontContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The application filter in front of the gateway on Jetty, once per variant of {@link JettyGateways#servletFilterFrontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.jetty.JettyGateways#servletFilterFrontEnds")
class JettyFilterInFrontContractTest extends FilterInFrontContract {
}
