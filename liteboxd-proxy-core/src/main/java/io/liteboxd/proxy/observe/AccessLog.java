package io.liteboxd.proxy.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per HTTP request and per WebSocket session (and per refused handshake) on the SLF4J logger
 * {@code io.liteboxd.proxy.access}, as {@code key=value} pairs that log shippers parse without a pattern. Events
 * carry no credentials, so nothing needs redacting here.
 */
public final class AccessLog implements ProxyListener {

    /** The logger name; route it to its own appender to keep access lines apart from diagnostics. */
    public static final String LOGGER = "io.liteboxd.proxy.access";

    private final Logger log;

    public AccessLog() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    AccessLog(Logger log) {
        this.log = log;
    }

    @Override
    public void httpExchange(HttpExchangeEvent e) {
        if (log.isInfoEnabled()) {
            log.info("type=http request_id={} sandbox={} port={} method={} status={} code={} bytes_out={} duration_ms={}",
                    e.requestId(), dash(e.sandboxId()), e.port(), e.method(), e.status(), dash(e.code()),
                    e.responseBytes(), e.duration().toMillis());
        }
    }

    @Override
    public void webSocketHandshake(HandshakeEvent e) {
        // Upgraded sessions get their line when they end; refusals only here.
        if (!e.upgraded() && log.isInfoEnabled()) {
            log.info("type=ws_refused request_id={} sandbox={} port={} status={} code={}",
                    e.requestId(), dash(e.sandboxId()), e.port(), e.status(), dash(e.code()));
        }
    }

    @Override
    public void webSocketSession(WebSocketSessionEvent e) {
        if (log.isInfoEnabled()) {
            log.info("type=ws request_id={} sandbox={} port={} status=101 closed_by={} close_code={} "
                            + "msgs_up={} bytes_up={} msgs_down={} bytes_down={} duration_ms={}",
                    e.requestId(), e.sandboxId(), e.port(), e.closedBy(), e.closeCode(), e.messagesToUpstream(),
                    e.bytesToUpstream(), e.messagesToClient(), e.bytesToClient(), e.duration().toMillis());
        }
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
