package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.internal.header.HeaderBlock;

/**
 * What the upstream answered to a successful WebSocket handshake.
 *
 * @param subprotocol the subprotocol it accepted, or {@code null}/empty for none
 * @param headers     its 101 response headers, unfiltered
 */
public record UpstreamAnswer(String subprotocol, HeaderBlock headers) {
}
