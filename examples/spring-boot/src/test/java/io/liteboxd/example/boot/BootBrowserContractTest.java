package io.liteboxd.example.boot;

import io.liteboxd.proxy.testkit.BrowserContract;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The browser-facing contract (query-token and share-link cookies, Origin checks) through the Boot example, once per variant of {@link BootGateway#frontEnds()}. */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.liteboxd.example.boot.BootGateway#frontEnds")
class BootBrowserContractTest extends BrowserContract {
}
