package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.WebSocketContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The WebSocket half of the gateway contract through the Boot example, once per variant of {@link BootGateway#relays()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.example.boot.BootGateway#relays")
class BootWebSocketContractTest extends WebSocketContract {
}
