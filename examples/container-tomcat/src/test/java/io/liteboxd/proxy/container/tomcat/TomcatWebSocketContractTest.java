package io.liteboxd.proxy.container.tomcat;

import io.liteboxd.proxy.testkit.WebSocketContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The WebSocket half of the gateway contract on Tomcat, once per variant of {@link TomcatGateways#relays()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.tomcat.TomcatGateways#relays")
class TomcatWebSocketContractTest extends WebSocketContract {
}
