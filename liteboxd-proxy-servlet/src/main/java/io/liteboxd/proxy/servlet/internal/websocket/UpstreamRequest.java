package io.liteboxd.proxy.servlet.internal.websocket;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The WebSocket handshake the gateway sends upstream, decided before any relay dials it.
 *
 * @param uri          the upstream's {@code ws://} or {@code wss://} URI
 * @param headers      end-to-end request headers to send, already filtered (no hop-by-hop, credential or
 *                     {@code Sec-WebSocket-*} fields) and completed with the forwarding and connector headers
 * @param subprotocols the subprotocols the client offered, in its order
 * @param clientKey    the client's {@code Sec-WebSocket-Key}; relays that pass frames through unchanged reuse it so
 *                     the upstream's {@code Sec-WebSocket-Accept} is the one the client expects
 */
public record UpstreamRequest(URI uri, Map<String, List<String>> headers, List<String> subprotocols,
                              String clientKey) {
}
