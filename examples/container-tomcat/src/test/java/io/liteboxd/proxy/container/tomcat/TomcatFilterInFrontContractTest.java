package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.testkit.FilterInFrontContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The application filter in front of the gateway on Tomcat, once per variant of {@link TomcatGateways#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.tomcat.TomcatGateways#frontEnds")
class TomcatFilterInFrontContractTest extends FilterInFrontContract {
}
