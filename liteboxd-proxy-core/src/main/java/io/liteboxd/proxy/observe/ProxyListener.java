package io.liteboxd.proxy.observe;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes what the gateway did: one event per HTTP exchange, per WebSocket handshake and per WebSocket session.
 * <b>SPI</b>: metrics ({@link ProxyMetrics}) and the access log ({@link AccessLog}) are listeners; add your own (for
 * example a Micrometer bridge) without the library depending on a metrics framework.
 *
 * <p>Called on the thread that finished the exchange (a container or upstream-client thread): return quickly, do
 * not block. An exception thrown by a listener is logged and otherwise ignored. Events never carry credentials.
 */
public interface ProxyListener {

    /** A plain HTTP request was answered (by the upstream or by the gateway's own error). */
    default void httpExchange(HttpExchangeEvent event) {
    }

    /** A WebSocket handshake ended: 101 or a refusal. */
    default void webSocketHandshake(HandshakeEvent event) {
    }

    /** A relayed WebSocket session ended (both legs closed). */
    default void webSocketSession(WebSocketSessionEvent event) {
    }

    /** No-op listener. */
    ProxyListener NONE = new ProxyListener() {
    };

    /** Delivers every event to each of {@code listeners} in order, isolating their failures. */
    static ProxyListener all(List<ProxyListener> listeners) {
        List<ProxyListener> copy = List.copyOf(listeners);
        Logger log = LoggerFactory.getLogger(ProxyListener.class);
        return new ProxyListener() {
            @Override
            public void httpExchange(HttpExchangeEvent event) {
                for (ProxyListener l : copy) {
                    try {
                        l.httpExchange(event);
                    } catch (RuntimeException e) {
                        log.warn("ProxyListener {} failed", l, e);
                    }
                }
            }

            @Override
            public void webSocketHandshake(HandshakeEvent event) {
                for (ProxyListener l : copy) {
                    try {
                        l.webSocketHandshake(event);
                    } catch (RuntimeException e) {
                        log.warn("ProxyListener {} failed", l, e);
                    }
                }
            }

            @Override
            public void webSocketSession(WebSocketSessionEvent event) {
                for (ProxyListener l : copy) {
                    try {
                        l.webSocketSession(event);
                    } catch (RuntimeException e) {
                        log.warn("ProxyListener {} failed", l, e);
                    }
                }
            }
        };
    }
}
