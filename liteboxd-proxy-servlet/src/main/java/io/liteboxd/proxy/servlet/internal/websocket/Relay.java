package io.liteboxd.proxy.servlet.internal.websocket;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One relayed WebSocket connection, from the moment its upstream is dialled until both legs are closed.
 * {@link WebSocketHandshake} drives it: {@link #connectUpstream}, then {@link #upgradeClient}, and {@link #abort} if
 * anything fails in between.
 */
public interface Relay {

    /**
     * Dials the upstream. The future completes with the fields of its 101, unfiltered, once the upstream accepted the
     * handshake and its leg is open, but not yet read from (so a greeting it sends at once waits for the client); it
     * fails with the upstream's refusal or the connection error. If the caller cancels it (timed out), a leg that
     * opens later is closed.
     */
    CompletableFuture<HeaderBlock> connectUpstream(UpstreamRequest request);

    /**
     * Upgrades the client connection and attaches it to this relay.
     *
     * @param subprotocol     the subprotocol the upstream accepted, or {@code null}/empty for none
     * @param responseHeaders the upstream's 101 headers as the header policy left them, one field per line
     * @throws IOException when the container cannot upgrade this request
     */
    void upgradeClient(HttpServletRequest request, HttpServletResponse response, String subprotocol,
                       HeaderBlock responseHeaders) throws IOException;

    /** True once the client leg's session is open. */
    boolean isClientOpen();

    /** What this relay carried and how it ended. */
    RelayStats stats();

    /** Closes both legs with {@code code} and frees everything; safe to call more than once. */
    void abort(int code, String reason);

    /** Creates relays of one kind; one factory per servlet, chosen when it starts, closed when it stops. */
    interface Factory extends AutoCloseable {

        /**
         * @param name       a short label for logs
         * @param onFinished called once when both legs are closed
         */
        Relay newRelay(String name, java.util.function.Consumer<Relay> onFinished);

        /** A short description for the start-up log, e.g. {@code jakarta-bridge}. */
        String describe();

        /** True if this kind of relay can upgrade requests of {@code context} (checked before dialling upstream). */
        boolean supports(jakarta.servlet.ServletContext context);

        /**
         * True if {@link Relay#upgradeClient} may be called from any thread once the request went asynchronous, so
         * the request thread need not wait for the upstream's answer. The Jakarta WebSocket API's upgrade must be
         * called on the request thread; Jetty's core upgrade and Tomcat's Servlet upgrade need not.
         */
        default boolean upgradesFromAnyThread() {
            return false;
        }

        @Override
        default void close() throws Exception {
        }
    }
}
