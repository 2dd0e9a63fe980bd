package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.header.HeaderPolicy;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.GatewayCookies;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.header.CookieHeader;
import io.liteboxd.proxy.header.PrefixRewriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway changes in headers crossing between client and sandbox, beyond the hop-by-hop rules of
 * {@link io.liteboxd.proxy.header.HeaderPolicy}; shared by the HTTP relay and the WebSocket handshake.
 *
 * <ul>
 *   <li>Requests: the {@code liteboxd_token} and {@code liteboxd_share} cookies (also under their {@code __Host-}
 *       names) are removed from {@code Cookie};
 *       every other cookie stays.</li>
 *   <li>Responses: an upstream {@code Set-Cookie} for either of them is dropped (a sandbox must not plant
 *       the gateway's credential); other {@code Set-Cookie}s are scoped ({@code scopeCookies}) and a root-relative
 *       {@code Location} moved under the mount ({@code rewriteLocation}), see {@link PrefixRewriter}.</li>
 * </ul>
 */
public final class UpstreamHeaders {

    /** The gateway's cookies under every name they are set with. */
    private static final List<String> GATEWAY_COOKIES = List.of(AccessTokens.COOKIE, ShareLinks.COOKIE,
            GatewayCookies.HOST_PREFIX + AccessTokens.COOKIE, GatewayCookies.HOST_PREFIX + ShareLinks.COOKIE);

    private final boolean rewriteLocation;
    private final boolean scopeCookies;

    public UpstreamHeaders(ProxyConfig config) {
        this.rewriteLocation = config.rewriteLocation();
        this.scopeCookies = config.scopeCookies();
    }

    /** The client's values of request header {@code name} as they may be forwarded ({@code Cookie} filtered). */
    public static List<String> requestValues(String name, List<String> values) {
        if (!"cookie".equalsIgnoreCase(name)) {
            return values;
        }
        List<String> kept = values;
        for (String cookie : GATEWAY_COOKIES) {
            kept = CookieHeader.without(kept, cookie);
        }
        return kept;
    }

    /**
     * One upstream response header value as it goes to the client.
     *
     * @param mount the public mount path ({@link ForwardedHeaders#mount}); empty for host-style routes
     * @return the value to send, or {@code null} to drop it
     */
    public String responseValue(String name, String value, String mount) {
        if ("set-cookie".equalsIgnoreCase(name)) {
            if (PrefixRewriter.setsGatewayCookie(value)) {
                return null;
            }
            return scopeCookies ? PrefixRewriter.setCookie(value, mount) : value;
        }
        if (rewriteLocation && "location".equalsIgnoreCase(name)) {
            return PrefixRewriter.location(value, mount);
        }
        return value;
    }

    /** {@link #responseValue} over a whole header map (the upstream's WebSocket 101), dropping emptied names. */
    public Map<String, List<String>> responseHeaders(Map<String, List<String>> headers, String mount) {
        if (headers == null) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            // Hop-by-hop and handshake fields belong to the upstream's connection, never to the client's 101.
            if (!HeaderPolicy.forwardsResponseHeader(name)) {
                return;
            }
            List<String> kept = new ArrayList<>();
            if (values != null) {
                for (String value : values) {
                    String v = responseValue(name, value, mount);
                    if (v != null) {
                        kept.add(v);
                    }
                }
            }
            if (!kept.isEmpty()) {
                out.put(name, kept);
            }
        });
        return out;
    }
}
