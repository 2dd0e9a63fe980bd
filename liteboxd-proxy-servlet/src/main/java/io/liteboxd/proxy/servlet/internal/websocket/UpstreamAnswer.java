package io.liteboxd.proxy.servlet.internal.websocket;

import java.util.List;
import java.util.Map;

/**
 * What the upstream answered to a successful WebSocket handshake.
 *
 * @param subprotocol the subprotocol it accepted, or {@code null}/empty for none
 * @param headers     its 101 response headers, unfiltered
 */
public record UpstreamAnswer(String subprotocol, Map<String, List<String>> headers) {
}
