package io.liteboxd.proxy.servlet.internal.websocket.tunnel;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.UpstreamRequest;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpUpgrader;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;

/**
 * The upstream handshake of a {@link TunnelRelay}, sent with the shared Jetty {@code HttpClient} (so the same TLS,
 * trust, pools and proxy settings as every other upstream request) through its HTTP/1.1 upgrade hook: once the
 * upstream answers 101, its connection leaves the client's pool and becomes the tunnel's upstream leg.
 */
final class TunnelDial implements HttpUpgrader.Factory, HttpUpgrader {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final UpstreamRequest request;
    private final TunnelRelay.Leg leg;
    private final Executor executor;
    private final CompletableFuture<HeaderBlock> answer = new CompletableFuture<>();

    private TunnelDial(UpstreamRequest request, TunnelRelay.Leg leg, Executor executor) {
        this.request = request;
        this.leg = leg;
        this.executor = executor;
    }

    /** @param leg the tunnel's upstream leg, which the upgraded connection becomes */
    static CompletableFuture<HeaderBlock> dial(HttpClient client, UpstreamRequest upstreamRequest,
                                                  TunnelRelay.Leg leg) {
        TunnelDial dial = new TunnelDial(upstreamRequest, leg, client.getExecutor());
        Request request;
        try {
            request = client.newRequest(httpUri(upstreamRequest.uri()));
        } catch (IllegalArgumentException e) {
            dial.answer.completeExceptionally(e);
            return dial.answer;
        }
        request.method(HttpMethod.GET)
                .version(HttpVersion.HTTP_1_1)
                .followRedirects(false)
                .headers(headers -> {
                    upstreamRequest.headers().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
                    headers.put(HttpHeader.SEC_WEBSOCKET_KEY, upstreamRequest.clientKey());
                    headers.put(HttpHeader.SEC_WEBSOCKET_VERSION, "13");
                    if (!upstreamRequest.subprotocols().isEmpty()) {
                        headers.put(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL,
                                String.join(", ", upstreamRequest.subprotocols()));
                    }
                })
                .attribute(HttpUpgrader.Factory.class.getName(), dial);
        // A 101 never reaches this listener (Jetty hands it to upgrade() below); anything else is a refusal.
        request.send(result -> {
            if (dial.answer.isDone()) {
                return;
            }
            Response response = result.getResponse();
            if (result.isFailed()) {
                dial.answer.completeExceptionally(result.getFailure());
            } else {
                dial.answer.completeExceptionally(new UpgradeException(upstreamRequest.uri(), response.getStatus(),
                        "upstream answered the WebSocket handshake with " + response.getStatus()));
            }
        });
        dial.answer.whenComplete((ok, failure) -> {
            if (failure != null) {
                // Cancelled or timed out by the caller: stop dialling (a no-op if the request already ended).
                request.abort(failure);
            }
        });
        return dial.answer;
    }

    @Override
    public HttpUpgrader newHttpUpgrader(HttpVersion version) {
        return this;
    }

    @Override
    public void prepare(Request request) {
        request.headers(headers -> headers.put(HttpHeader.UPGRADE, "websocket").put(HttpHeader.CONNECTION, "Upgrade"));
    }

    @Override
    public void upgrade(Response response, EndPoint endPoint, Callback callback) {
        String refusal = refusal(response.getHeaders());
        // An answer that cannot be relayed, or one that came after the timeout (the client already got its 504).
        if (refusal != null || answer.isDone()) {
            Exception failure = refusal == null ? new CancellationException("WebSocket handshake timed out")
                    : new ProtocolException("upstream sent an invalid WebSocket handshake answer: " + refusal);
            answer.completeExceptionally(failure);
            endPoint.close();
            callback.failed(failure);
            return;
        }
        endPoint.upgrade(new EndPointLeg(endPoint, executor, leg));
        callback.succeeded();
        HeaderBlock headers = new HeaderBlock();
        response.getHeaders().forEach(field -> headers.add(field.getName(), field.getValue()));
        if (!answer.complete(headers)) {
            endPoint.close();
        }
    }

    /** Why the upstream's 101 cannot be relayed to the client unchanged, or null if it can. */
    private String refusal(HttpFields headers) {
        String upgrade = headers.get(HttpHeader.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            return "Upgrade is not websocket";
        }
        if (!acceptFor(request.clientKey()).equals(headers.get(HttpHeader.SEC_WEBSOCKET_ACCEPT))) {
            return "wrong Sec-WebSocket-Accept";
        }
        if (headers.get(HttpHeader.SEC_WEBSOCKET_EXTENSIONS) != null) {
            return "an extension that was not offered";
        }
        String subprotocol = headers.get(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL);
        if (subprotocol != null && !request.subprotocols().contains(subprotocol)) {
            return "a subprotocol that was not offered";
        }
        return null;
    }

    /** The {@code Sec-WebSocket-Accept} value for {@code key} (RFC 6455 section 4.2.2). */
    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    private static URI httpUri(URI uri) {
        String scheme = uri.getScheme();
        String http = "wss".equalsIgnoreCase(scheme) ? "https" : "ws".equalsIgnoreCase(scheme) ? "http" : scheme;
        // Swap the scheme on the raw form: the path and query stay byte for byte as the connector built them.
        return URI.create(http + uri.toString().substring(scheme.length()));
    }
}
