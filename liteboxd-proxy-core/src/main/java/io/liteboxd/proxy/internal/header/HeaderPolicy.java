package io.liteboxd.proxy.internal.header;

import io.liteboxd.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The one list of rules about which headers cross the gateway, in both directions, used by every leg: the pooled
 * HTTP relay, the Jetty core front end, the {@code AsyncProxyServlet} leg and every WebSocket relay's handshake. A
 * leg copies what it received into a {@link HeaderBlock}, calls {@link #request} or {@link #response}, and writes
 * what is left; the only fields it adds itself are those of its own framing (the upstream's {@code Host}, a length
 * it computed, the handshake fields it negotiated).
 *
 * <p>The filters run in this order: hop-by-hop, transport fields, the gateway's credentials, the upstream identity
 * (and the connector's headers), forwarding headers on requests; shared-origin rules and prefix rewriting on
 * responses. {@link #rules()} is the table in {@code docs/security.md}.
 */
public final class HeaderPolicy {

    private final List<HeaderFilter> filters;

    private HeaderPolicy(List<HeaderFilter> filters) {
        this.filters = List.copyOf(filters);
    }

    /** The gateway's policy for {@code config} ({@code rewriteLocation}, {@code scopeCookies}). */
    public static HeaderPolicy of(ProxyConfig config) {
        return new HeaderPolicy(List.of(
                new HopByHopFilter(),
                new TransportFilter(),
                new GatewayCredentialFilter(),
                new UpstreamIdentityFilter(),
                new ForwardingFilter(),
                new SharedOriginFilter(),
                new PrefixRewriteFilter(config.rewriteLocation(), config.scopeCookies())));
    }

    /** Filters a client request's headers, in place, into what the upstream receives. */
    public void request(HeaderBlock headers, HeaderContext context) {
        for (HeaderFilter filter : filters) {
            filter.request(headers, context);
        }
    }

    /** Filters an upstream response's headers, in place, into what the client receives. */
    public void response(HeaderBlock headers, HeaderContext context) {
        for (HeaderFilter filter : filters) {
            filter.response(headers, context);
        }
    }

    /**
     * Whether an upstream answer with {@code status} may reach the client at all. {@code 101 Switching Protocols}
     * only answers a client that asked for that upgrade (a WebSocket handshake): relayed to a plain request, it would
     * make a proxy in front of the gateway treat the connection as a tunnel while the gateway goes on reading HTTP
     * from it, so later requests on it would pass the front proxy unseen. Such an answer is a 502.
     */
    public boolean relays(int status, HeaderContext context) {
        return status != 101 || context.webSocket();
    }

    /** Every rule of every filter, in the order they run. */
    public List<HeaderRule> rules() {
        List<HeaderRule> rules = new ArrayList<>();
        for (HeaderFilter filter : filters) {
            rules.addAll(filter.rules());
        }
        return rules;
    }

    /**
     * True if {@code Connection} and {@code Upgrade} ask for a WebSocket upgrade. Both are matched
     * case-insensitively as comma-separated lists, as browsers send {@code Connection: keep-alive, Upgrade}.
     */
    public static boolean isWebSocketUpgrade(List<String> connectionValues, List<String> upgradeValues) {
        return Names.containsToken(connectionValues, "upgrade") && Names.containsToken(upgradeValues, "websocket");
    }
}
