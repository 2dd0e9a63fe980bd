package io.liteboxd.proxy.header;

import io.liteboxd.proxy.auth.AccessTokens;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which client request headers may travel to the upstream. The WebSocket leg applies it header by header; the HTTP
 * leg gets the hop-by-hop part from Jetty's proxy servlet (same RFC list) and drops the gateway's credential itself.
 *
 * <p>Dropped: hop-by-hop headers (RFC 9110 section 7.6.1) and any header named in {@code Connection}; the gateway's
 * own credential {@code X-Access-Token}; and headers the upstream client computes itself for its own connection
 * ({@code Host}, {@code Content-Length}, the {@code Sec-WebSocket-*} handshake fields, {@code Expect}).
 */
public final class HeaderPolicy {

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

    private static final Set<String> RECOMPUTED = Set.of(
            "host", "content-length", "expect",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
            "sec-websocket-protocol", "sec-websocket-accept");

    private static final Set<String> CREDENTIALS = Set.of(AccessTokens.HEADER.toLowerCase(Locale.ROOT));

    private final Set<String> connectionListed;

    private HeaderPolicy(Set<String> connectionListed) {
        this.connectionListed = connectionListed;
    }

    /**
     * @param connectionHeaderValues the values of the message's {@code Connection} header; each comma-separated
     *                               token names one more hop-by-hop header
     */
    public static HeaderPolicy forRequest(List<String> connectionHeaderValues) {
        Set<String> listed = new HashSet<>();
        if (connectionHeaderValues != null) {
            for (String value : connectionHeaderValues) {
                for (String token : value.split(",")) {
                    String t = token.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        listed.add(t);
                    }
                }
            }
        }
        return new HeaderPolicy(Set.copyOf(listed));
    }

    /** True if a client header with this name is passed to the upstream. */
    public boolean forwards(String headerName) {
        String name = headerName.toLowerCase(Locale.ROOT);
        return !HOP_BY_HOP.contains(name) && !RECOMPUTED.contains(name) && !CREDENTIALS.contains(name)
                && !connectionListed.contains(name);
    }

    /** True if {@code Connection} named this header, which makes it hop-by-hop for this message. */
    public boolean isConnectionListed(String headerName) {
        return connectionListed.contains(headerName.toLowerCase(Locale.ROOT));
    }

    /** True for headers that carry the gateway's own credentials and must never leave the gateway. */
    public static boolean isGatewayCredential(String headerName) {
        return CREDENTIALS.contains(headerName.toLowerCase(Locale.ROOT));
    }

    /**
     * True if an upstream response header may be copied into the response to the client (the 101 of a WebSocket
     * handshake): hop-by-hop and handshake fields belong to the upstream connection only.
     */
    public static boolean forwardsResponseHeader(String headerName) {
        String name = headerName.toLowerCase(Locale.ROOT);
        return !HOP_BY_HOP.contains(name) && !RECOMPUTED.contains(name) && !name.equals("date")
                && !name.equals("server");
    }

    /**
     * True if {@code Connection} and {@code Upgrade} ask for a WebSocket upgrade. Both are matched
     * case-insensitively as comma-separated lists, as browsers send {@code Connection: keep-alive, Upgrade}.
     */
    public static boolean isWebSocketUpgrade(List<String> connectionValues, List<String> upgradeValues) {
        return containsToken(connectionValues, "upgrade") && containsToken(upgradeValues, "websocket");
    }

    private static boolean containsToken(List<String> values, String wanted) {
        if (values == null) {
            return false;
        }
        for (String value : values) {
            if (value == null) {
                continue;
            }
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase(wanted)) {
                    return true;
                }
            }
        }
        return false;
    }
}
