package io.liteboxd.proxy.container.jetty;

import io.liteboxd.proxy.testkit.WebSocketContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The WebSocket half of the gateway contract on Jetty, once per variant of {@link JettyGateways#relays()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.jetty.JettyGateways#relays")
class JettyWebSocketContractTest extends WebSocketContract {
}
