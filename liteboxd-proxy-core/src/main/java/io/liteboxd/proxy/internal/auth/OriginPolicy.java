package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.config.ProxyConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a request authenticated by the browser cookie alone may come from the page that sent it.
 *
 * <p>The cookie is ambient: the browser attaches it to requests that any page makes, including a WebSocket that
 * another site's script opens (SameSite=Lax does not stop pages of the same site, e.g. another port of the same
 * host). The {@code Origin} header, which browsers always send on WebSocket handshakes and cross-origin unsafe
 * requests and which scripts cannot forge, says which page that was.
 *
 * <p>Allowed are the configured origins ({@link ProxyConfig#allowedOrigins()}); the entry {@code self} means "same
 * host and port as the request was addressed to" ({@code Host}, or a trusted {@code X-Forwarded-Host}), with the
 * port defaulted from the Origin's scheme. The scheme is not compared for {@code self}, because a gateway behind a
 * TLS-terminating proxy sees {@code http} while the page's origin is {@code https}. A missing, empty or
 * {@code null} Origin is never allowed.
 */
public final class OriginPolicy {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final boolean allowSelf;
    private final Set<String> origins;

    /** @param allowedOrigins normalized entries, as {@link ProxyConfig#allowedOrigins()} returns them */
    public OriginPolicy(List<String> allowedOrigins) {
        this.allowSelf = allowedOrigins.contains(ProxyConfig.SELF_ORIGIN);
        this.origins = Set.copyOf(allowedOrigins);
    }

    /**
     * True when a cookie-authenticated request must pass {@link #allows}: every WebSocket handshake, and HTTP
     * requests with an unsafe method that carry an {@code Origin} (a cross-origin form post or fetch). Safe
     * requests are left alone: a browser's own navigations must keep working, and their answers are not readable
     * cross-origin.
     */
    public static boolean applies(boolean webSocket, String method, String origin) {
        if (webSocket) {
            return true;
        }
        return origin != null && (method == null || !SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT)));
    }

    /**
     * @param origin the request's {@code Origin} header, or {@code null}
     * @param host   the host the request was addressed to, {@code host[:port]}, or {@code null}
     */
    public boolean allows(String origin, String host) {
        Origin o = Origin.parse(origin);
        if (o == null) {
            return false;
        }
        if (origins.contains(o.normalized())) {
            return true;
        }
        return allowSelf && o.sameAuthority(host);
    }

    private record Origin(String scheme, String host, int port) {

        static Origin parse(String origin) {
            if (origin == null || origin.isBlank() || origin.trim().equals("null")) {
                return null;
            }
            try {
                URI uri = new URI(origin.trim());
                String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
                if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                    return null;
                }
                int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
                return new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
            } catch (URISyntaxException e) {
                return null;
            }
        }

        String normalized() {
            boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return scheme + "://" + host + (defaultPort ? "" : ":" + port);
        }

        boolean sameAuthority(String hostHeader) {
            if (hostHeader == null || hostHeader.isBlank()) {
                return false;
            }
            URI uri;
            try {
                uri = new URI(scheme + "://" + hostHeader.trim());
            } catch (URISyntaxException e) {
                return false;
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
                return false;
            }
            int hostPort = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
            return uri.getHost().toLowerCase(Locale.ROOT).equals(host) && hostPort == port;
        }
    }
}
