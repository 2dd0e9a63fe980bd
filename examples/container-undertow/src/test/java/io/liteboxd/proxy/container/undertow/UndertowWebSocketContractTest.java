package io.liteboxd.proxy.container.undertow;

import io.liteboxd.proxy.testkit.WebSocketContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The WebSocket half of the gateway contract on Undertow, once per variant of {@link UndertowGateways#relays()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.proxy.container.undertow.UndertowGateways#relays")
class UndertowWebSocketContractTest extends WebSocketContract {
}
