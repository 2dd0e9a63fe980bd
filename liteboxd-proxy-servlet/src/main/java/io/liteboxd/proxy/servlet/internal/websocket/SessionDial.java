package io.liteboxd.proxy.servlet.internal.websocket;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Dials the upstream with Jetty's WebSocket client, for relays whose upstream leg is a Jetty WebSocket session.
 */
final class SessionDial {

    private SessionDial() {
    }

    /**
     * @param listener the upstream leg's listener; it must not demand frames before the client leg is open
     * @param late     run if the handshake completes after the returned future was cancelled (timed out): the
     *                 relay must then close the session that opened anyway
     */
    static CompletableFuture<UpstreamAnswer> dial(WebSocketClient client, Session.Listener listener,
                                                  UpstreamRequest request, Runnable late) {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(request.uri());
        upgrade.setSubProtocols(request.subprotocols());
        request.headers().forEach(upgrade::setHeader);
        CompletableFuture<UpstreamAnswer> answer = new CompletableFuture<>();
        CompletableFuture<Session> connecting;
        try {
            connecting = client.connect(listener, upgrade);
        } catch (IOException e) {
            answer.completeExceptionally(e);
            return answer;
        }
        connecting.whenComplete((session, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else if (!answer.complete(new UpstreamAnswer(session.getUpgradeResponse().getAcceptedSubProtocol(),
                    session.getUpgradeResponse().getHeaders()))) {
                late.run();
            }
        });
        answer.whenComplete((ok, failure) -> {
            if (answer.isCancelled()) {
                connecting.cancel(true);
            }
        });
        return answer;
    }
}
