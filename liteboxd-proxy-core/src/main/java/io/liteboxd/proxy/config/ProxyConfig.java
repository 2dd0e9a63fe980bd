package io.liteboxd.proxy.config;

import io.liteboxd.proxy.internal.config.SettingSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * Immutable gateway settings, built once with {@link #builder()} or read from init-params and environment with
 * {@link #from(Function, Map)}.
 *
 * <table>
 *   <caption>Settings, their sources and defaults</caption>
 *   <tr><th>setting</th><th>init-param</th><th>environment</th><th>default</th></tr>
 *   <tr><td>route prefix</td><td>routePrefix</td><td>LITEBOXD_ROUTE_PREFIX</td><td>/api/v1/sandbox</td></tr>
 *   <tr><td>request timeout</td><td>requestTimeout</td><td>LITEBOXD_REQUEST_TIMEOUT</td><td>30s</td></tr>
 *   <tr><td>connect timeout</td><td>connectTimeout</td><td>LITEBOXD_CONNECT_TIMEOUT</td><td>10s</td></tr>
 *   <tr><td>ping interval</td><td>pingInterval</td><td>LITEBOXD_PING_INTERVAL</td><td>20s</td></tr>
 *   <tr><td>idle timeout</td><td>idleTimeout</td><td>LITEBOXD_IDLE_TIMEOUT</td><td>60s</td></tr>
 *   <tr><td>max message size</td><td>maxMessageSize</td><td>LITEBOXD_MAX_MESSAGE_SIZE</td><td>128MiB</td></tr>
 *   <tr><td>upstream client threads (0: the container's pool)</td><td>clientThreads</td>
 *       <td>LITEBOXD_CLIENT_THREADS</td><td>64</td></tr>
 *   <tr><td>WebSocket relay</td><td>webSocketRelay</td><td>LITEBOXD_WEBSOCKET_RELAY</td><td>auto</td></tr>
 *   <tr><td>browser auth (query parameter and cookie)</td><td>browserAuth</td><td>LITEBOXD_BROWSER_AUTH</td>
 *       <td>true</td></tr>
 *   <tr><td>allowed origins for cookie-authenticated requests</td><td>allowedOrigins</td>
 *       <td>LITEBOXD_ALLOWED_ORIGINS</td><td>self</td></tr>
 *   <tr><td>rewrite root-relative Location</td><td>rewriteLocation</td><td>LITEBOXD_REWRITE_LOCATION</td>
 *       <td>true</td></tr>
 *   <tr><td>scope upstream Set-Cookie</td><td>scopeCookies</td><td>LITEBOXD_SCOPE_COOKIES</td><td>true</td></tr>
 *   <tr><td>forward the full path (keep the route prefix)</td><td>keepPrefix</td><td>LITEBOXD_KEEP_PREFIX</td>
 *       <td>false</td></tr>
 *   <tr><td>send the client's Host upstream</td><td>preserveHost</td><td>LITEBOXD_PRESERVE_HOST</td>
 *       <td>false</td></tr>
 *   <tr><td>base domain of host-based routes</td><td>baseDomain</td><td>LITEBOXD_BASE_DOMAIN</td><td>(off)</td></tr>
 *   <tr><td>path-style routes: on, header-only or off</td><td>pathRoutes</td><td>LITEBOXD_PATH_ROUTES</td>
 *       <td>on</td></tr>
 *   <tr><td>take the host from X-Forwarded-Host</td><td>trustForwardedHost</td>
 *       <td>LITEBOXD_TRUST_FORWARDED_HOST</td><td>false</td></tr>
 *   <tr><td>secret of signed share links</td><td>shareLinkSecret</td><td>LITEBOXD_SHARE_LINK_SECRET</td>
 *       <td>(off)</td></tr>
 *   <tr><td>key that signs browser cookies, shared by replicas</td><td>cookieSecret</td>
 *       <td>LITEBOXD_COOKIE_SECRET</td><td>(random per process)</td></tr>
 *   <tr><td>max concurrent WebSockets in total (0: no limit)</td><td>maxConnections</td>
 *       <td>LITEBOXD_MAX_CONNECTIONS</td><td>10000</td></tr>
 *   <tr><td>max concurrent WebSockets per sandbox (0: no limit)</td><td>maxConnectionsPerSandbox</td>
 *       <td>LITEBOXD_MAX_CONNECTIONS_PER_SANDBOX</td><td>100</td></tr>
 *   <tr><td>shutdown drain deadline</td><td>drainTimeout</td><td>LITEBOXD_DRAIN_TIMEOUT</td><td>5s</td></tr>
 * </table>
 *
 * <p>An init-param wins over the environment, which wins over the default.
 */
public final class ProxyConfig {

    public static final String DEFAULT_ROUTE_PREFIX = "/api/v1/sandbox";

    /** The client's own pool size when none is configured, or when 0 is and the container offers no pool. */
    public static final int DEFAULT_CLIENT_THREADS = 64;

    /** The {@link #allowedOrigins()} entry that stands for "the origin the request was addressed to". */
    public static final String SELF_ORIGIN = "self";

    /**
     * Default of {@link #maxConnections()}: bounded, so that no client or sandbox can make the gateway hold WebSockets
     * (and their upstream sockets) without end, and far above what one gateway process is sized for.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /**
     * Default of {@link #maxConnectionsPerSandbox()}: generous for a person's terminals, previews and dev servers,
     * and small enough that one sandbox (whose code is untrusted) cannot take a large share of
     * {@link #DEFAULT_MAX_CONNECTIONS}.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SANDBOX = 100;

    /**
     * Whether and how path-style routes ({@code {prefix}/{sandbox-id}/port/{port}/...}) are served. Whatever the
     * setting, a path-style route is never served on a host equal to or under {@link #baseDomain()}: those hosts
     * belong to host-style routes, and a path route there would put every sandbox on a sandbox's origin.
     */
    public enum PathRoutes {
        /** Served, with every credential source (header, query parameter, share link, cookie). The default. */
        ON,
        /**
         * Served to API clients only: the {@code X-Access-Token} header is the only credential accepted, so no
         * browser session (query parameter, share link, cookie) can live on the shared path-style origin. Browsers
         * use host-style routes.
         */
        HEADER_ONLY,
        /** Not served: 404 {@code route_not_found}. Needs {@link #baseDomain()}, or no route would be left. */
        OFF
    }

    /** Which WebSocket relay the servlet uses. */
    public enum WebSocketRelay {
        /**
         * The fastest relay the container allows: on Jetty 12 (ee10) and Tomcat 10.1/11 the tunnel, which relays the
         * WebSocket byte stream as received while following and checking its frames in place; elsewhere the
         * portable Jakarta bridge.
         */
        AUTO,
        /** Always the portable Jakarta WebSocket bridge. */
        JAKARTA
    }

    private final String routePrefix;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final long maxMessageSize;
    private final int clientThreads;
    private final WebSocketRelay webSocketRelay;
    private final boolean browserAuth;
    private final List<String> allowedOrigins;
    private final boolean rewriteLocation;
    private final boolean scopeCookies;
    private final boolean keepPrefix;
    private final boolean preserveHost;
    private final String baseDomain;
    private final PathRoutes pathRoutes;
    private final boolean trustForwardedHost;
    private final String shareLinkSecret;
    private final String cookieSecret;
    private final int maxConnections;
    private final int maxConnectionsPerSandbox;
    private final Duration drainTimeout;

    private ProxyConfig(Builder b) {
        this.routePrefix = b.routePrefix;
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.pingInterval = b.pingInterval;
        this.idleTimeout = b.idleTimeout;
        this.maxMessageSize = b.maxMessageSize;
        this.clientThreads = b.clientThreads;
        this.webSocketRelay = b.webSocketRelay;
        this.browserAuth = b.browserAuth;
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.rewriteLocation = b.rewriteLocation;
        this.scopeCookies = b.scopeCookies;
        this.keepPrefix = b.keepPrefix;
        this.preserveHost = b.preserveHost;
        this.baseDomain = b.baseDomain;
        this.pathRoutes = b.pathRoutes;
        this.trustForwardedHost = b.trustForwardedHost;
        this.shareLinkSecret = b.shareLinkSecret;
        this.cookieSecret = b.cookieSecret;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerSandbox = b.maxConnectionsPerSandbox;
        this.drainTimeout = b.drainTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant. */
    public Builder toBuilder() {
        return builder().routePrefix(routePrefix).requestTimeout(requestTimeout).connectTimeout(connectTimeout)
                .pingInterval(pingInterval).idleTimeout(idleTimeout).maxMessageSize(maxMessageSize)
                .clientThreads(clientThreads).webSocketRelay(webSocketRelay)
                .browserAuth(browserAuth).allowedOrigins(allowedOrigins).rewriteLocation(rewriteLocation)
                .scopeCookies(scopeCookies).keepPrefix(keepPrefix).preserveHost(preserveHost).baseDomain(baseDomain)
                .pathRoutes(pathRoutes).trustForwardedHost(trustForwardedHost).shareLinkSecret(shareLinkSecret)
                .cookieSecret(cookieSecret).maxConnections(maxConnections)
                .maxConnectionsPerSandbox(maxConnectionsPerSandbox).drainTimeout(drainTimeout);
    }

    /** The defaults. */
    public static ProxyConfig defaults() {
        return builder().build();
    }

    /**
     * Reads every setting from {@code initParams} (e.g. {@code ServletConfig::getInitParameter}) and then
     * {@code env}, falling back to the defaults. Malformed values fail with a message naming the setting.
     */
    public static ProxyConfig from(Function<String, String> initParams, Map<String, String> env) {
        Builder b = builder();
        SettingSource s = new SettingSource(initParams, env);
        s.text("routePrefix").ifPresent(b::routePrefix);
        s.duration("requestTimeout").ifPresent(b::requestTimeout);
        s.duration("connectTimeout").ifPresent(b::connectTimeout);
        s.duration("pingInterval").ifPresent(b::pingInterval);
        s.duration("idleTimeout").ifPresent(b::idleTimeout);
        s.size("maxMessageSize").ifPresent(b::maxMessageSize);
        s.integer("clientThreads").ifPresent(b::clientThreads);
        s.text("webSocketRelay").ifPresent(v -> {
            try {
                b.webSocketRelay(WebSocketRelay.valueOf(v.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                // A start-up error rather than a silent fallback: a setting that no longer exists must be noticed.
                String removed = v.trim().equalsIgnoreCase("frames")
                        ? " (the frame relay was removed; auto picks the tunnel on Jetty 12)" : "";
                throw new IllegalArgumentException("webSocketRelay: expected auto or jakarta, got " + v + removed, e);
            }
        });
        // The setting chose between two HTTP engines; one is left, so an old value must not stop a deployment.
        s.text("httpRelay").ifPresent(v -> LoggerFactory.getLogger(ProxyConfig.class).warn(
                "httpRelay={} is ignored: the setting was removed, every request goes through the one HTTP relay", v));
        s.bool("browserAuth").ifPresent(b::browserAuth);
        s.text("allowedOrigins").ifPresent(v -> b.allowedOrigins(splitList(v)));
        s.bool("rewriteLocation").ifPresent(b::rewriteLocation);
        s.bool("scopeCookies").ifPresent(b::scopeCookies);
        s.bool("keepPrefix").ifPresent(b::keepPrefix);
        s.bool("preserveHost").ifPresent(b::preserveHost);
        s.text("baseDomain").ifPresent(b::baseDomain);
        s.text("pathRoutes").ifPresent(v -> b.pathRoutes(parsePathRoutes(v)));
        s.bool("trustForwardedHost").ifPresent(b::trustForwardedHost);
        s.text("shareLinkSecret").ifPresent(b::shareLinkSecret);
        s.text("cookieSecret").ifPresent(b::cookieSecret);
        s.integer("maxConnections").ifPresent(b::maxConnections);
        s.integer("maxConnectionsPerSandbox").ifPresent(b::maxConnectionsPerSandbox);
        s.duration("drainTimeout").ifPresent(b::drainTimeout);
        return b.build();
    }

    /** Route prefix before {@code /{sandbox-id}/port/{port}}, relative to the servlet context. */
    public String routePrefix() {
        return routePrefix;
    }

    /**
     * The seed's {@code RequestTimeout}: how long one read or write on either leg may stall (HTTP idle timeout, and
     * WebSocket send timeout). Not a limit on the total duration of a streamed response or a WebSocket session.
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Upper bound on opening the upstream TCP connection and completing its WebSocket handshake. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How often both WebSocket legs are pinged while open; {@link Duration#ZERO} disables keepalive pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** A WebSocket leg that receives nothing (not even a pong) for this long is closed, and so is its partner. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Largest WebSocket message relayed, in bytes; a larger one closes both legs with 1009. */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Maximum threads of the upstream HTTP/WebSocket client (shared by every connection, not one per connection); 0
     * runs the client on the container's own thread pool where the container offers it (Jetty), else on a pool of
     * {@link #DEFAULT_CLIENT_THREADS}.
     */
    public int clientThreads() {
        return clientThreads;
    }

    /** Which WebSocket relay to use; {@link WebSocketRelay#AUTO} by default. */
    public WebSocketRelay webSocketRelay() {
        return webSocketRelay;
    }

    /**
     * Whether browsers may authenticate with the {@code liteboxd_token} query parameter and cookie (they cannot set
     * {@code X-Access-Token} on a page load or a WebSocket). When off, only the header counts, but the parameter and
     * the cookie are still removed before forwarding.
     */
    public boolean browserAuth() {
        return browserAuth;
    }

    /**
     * Origins a request authenticated by the cookie alone may come from (checked on every such WebSocket handshake
     * and on such HTTP requests with an unsafe method and an {@code Origin}). Entries are {@code scheme://host[:port]}
     * or {@link #SELF_ORIGIN}, the origin the request was addressed to.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Whether a root-relative {@code Location} from the upstream is moved under the sandbox's path prefix. */
    public boolean rewriteLocation() {
        return rewriteLocation;
    }

    /**
     * Whether upstream {@code Set-Cookie} headers are scoped to the sandbox: their {@code Path} moved under the
     * sandbox's path prefix and their {@code Domain} dropped, so one sandbox's cookies never reach another.
     */
    public boolean scopeCookies() {
        return scopeCookies;
    }

    /**
     * Whether path routes forward the whole path as the browser sent it (servlet context path and route prefix
     * included) instead of only the part after {@code {prefix}/{id}/port/{port}}: for apps configured with that
     * prefix as their base path (Jupyter's {@code base_url}, a dev server's {@code base}). The default for every
     * sandbox port; {@link io.liteboxd.proxy.resolve.Sandbox#keepPrefixPorts()} turns it on for single ports.
     */
    public boolean keepPrefix() {
        return keepPrefix;
    }

    /**
     * Whether the upstream gets the {@code Host} the client sent instead of its own address, for apps that compare
     * {@code Origin} with {@code Host} (Jupyter, Django and Rails CSRF checks, many WebSocket servers). The default
     * for every sandbox port; {@link io.liteboxd.proxy.resolve.Sandbox#preserveHostPorts()} turns it on for single
     * ports. Never in API-server mode, where the API server needs its own.
     */
    public boolean preserveHost() {
        return preserveHost;
    }

    /**
     * The domain under which {@code {port}-{sandbox-id}.{baseDomain}} hosts are routed to sandboxes, or {@code null}
     * when host-based routing is off.
     */
    public String baseDomain() {
        return baseDomain;
    }

    /**
     * How path-style routes are served; {@link PathRoutes#ON} by default, also with a base domain (for
     * compatibility; a deployment whose browsers use host-style routes should choose {@link PathRoutes#HEADER_ONLY}).
     */
    public PathRoutes pathRoutes() {
        return pathRoutes;
    }

    /**
     * Reads a {@link PathRoutes} as written in settings and flags: {@code on}, {@code header-only} or {@code off},
     * any case.
     *
     * @throws IllegalArgumentException naming the setting and the accepted values
     */
    public static PathRoutes parsePathRoutes(String value) {
        try {
            return PathRoutes.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pathRoutes: expected on, header-only or off, got " + value, e);
        }
    }

    /** True when host-based routes are on ({@link #baseDomain()} is set). */
    public boolean hostRouting() {
        return baseDomain != null;
    }

    /**
     * Whether the first {@code X-Forwarded-Host} replaces {@code Host} as the host the client addressed (for
     * host-based routes and the same-origin check). Only for a gateway that is reachable through a proxy that sets it.
     */
    public boolean trustForwardedHost() {
        return trustForwardedHost;
    }

    /**
     * The HMAC secret of signed share links ({@code io.liteboxd.proxy.auth.ShareLinks}), or {@code null} when share
     * links are off. Never printed by {@link #toString()}.
     */
    public String shareLinkSecret() {
        return shareLinkSecret;
    }

    /**
     * The HMAC key of the browser cookie ({@code io.liteboxd.proxy.internal.auth.GatewayCookies}), the same on every replica
     * behind one address; {@code null} signs with a random key made once per process. Never printed by
     * {@link #toString()}.
     */
    public String cookieSecret() {
        return cookieSecret;
    }

    /**
     * Most WebSocket connections relayed at once; 0 means no limit; {@value #DEFAULT_MAX_CONNECTIONS} by default.
     * Over it, handshakes answer 503.
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Most WebSocket connections relayed at once to one sandbox; 0 means no limit;
     * {@value #DEFAULT_MAX_CONNECTIONS_PER_SANDBOX} by default. Over it, 503.
     */
    public int maxConnectionsPerSandbox() {
        return maxConnectionsPerSandbox;
    }

    /**
     * On shutdown: how long open WebSockets get to close after being sent 1001 Going Away, before the servlet stops
     * regardless. New upgrades answer 503 from the start of the drain.
     */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    @Override
    public String toString() {
        return "ProxyConfig{routePrefix=" + routePrefix + ", requestTimeout=" + requestTimeout
                + ", connectTimeout=" + connectTimeout + ", pingInterval=" + pingInterval
                + ", idleTimeout=" + idleTimeout + ", maxMessageSize=" + maxMessageSize
                + ", clientThreads=" + clientThreads + ", webSocketRelay=" + webSocketRelay
                + ", browserAuth=" + browserAuth + ", allowedOrigins=" + allowedOrigins
                + ", rewriteLocation=" + rewriteLocation + ", scopeCookies=" + scopeCookies
                + ", keepPrefix=" + keepPrefix + ", preserveHost=" + preserveHost
                + ", baseDomain=" + baseDomain + ", pathRoutes=" + pathRoutes
                + ", trustForwardedHost=" + trustForwardedHost
                + ", shareLinks=" + (shareLinkSecret == null ? "off" : "on")
                + ", cookieSecret=" + (cookieSecret == null ? "random" : "set") + ", maxConnections=" + maxConnections
                + ", maxConnectionsPerSandbox=" + maxConnectionsPerSandbox + ", drainTimeout=" + drainTimeout + "}";
    }

    private static List<String> splitList(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    /** Builder with the documented defaults; every setter validates its argument. */
    public static final class Builder {
        private String routePrefix = DEFAULT_ROUTE_PREFIX;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private long maxMessageSize = 128L * 1024 * 1024;
        private int clientThreads = DEFAULT_CLIENT_THREADS;
        private WebSocketRelay webSocketRelay = WebSocketRelay.AUTO;
        private boolean browserAuth = true;
        private List<String> allowedOrigins = List.of(SELF_ORIGIN);
        private boolean rewriteLocation = true;
        private boolean scopeCookies = true;
        private boolean keepPrefix;
        private boolean preserveHost;
        private String baseDomain;
        private PathRoutes pathRoutes = PathRoutes.ON;
        private boolean trustForwardedHost;
        private String shareLinkSecret;
        private String cookieSecret;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerSandbox = DEFAULT_MAX_CONNECTIONS_PER_SANDBOX;
        private Duration drainTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder maxConnections(int max) {
            this.maxConnections = notNegative("maxConnections", max);
            return this;
        }

        public Builder maxConnectionsPerSandbox(int max) {
            this.maxConnectionsPerSandbox = notNegative("maxConnectionsPerSandbox", max);
            return this;
        }

        public Builder drainTimeout(Duration d) {
            Objects.requireNonNull(d, "drainTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative: " + d);
            }
            this.drainTimeout = d;
            return this;
        }

        private static int notNegative(String name, int value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be 0 (no limit) or positive: " + value);
            }
            return value;
        }

        public Builder webSocketRelay(WebSocketRelay relay) {
            this.webSocketRelay = Objects.requireNonNull(relay, "webSocketRelay");
            return this;
        }

        public Builder routePrefix(String prefix) {
            Objects.requireNonNull(prefix, "routePrefix");
            if (!prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("routePrefix must start with '/' and not end with '/': " + prefix);
            }
            this.routePrefix = prefix;
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive("requestTimeout", d);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        public Builder pingInterval(Duration d) {
            Objects.requireNonNull(d, "pingInterval");
            if (d.isNegative()) {
                throw new IllegalArgumentException("pingInterval must not be negative: " + d);
            }
            this.pingInterval = d;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive("idleTimeout", d);
            return this;
        }

        public Builder maxMessageSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder clientThreads(int threads) {
            if (threads != 0 && threads < 8) {
                throw new IllegalArgumentException("clientThreads must be 0 (the container's pool) or at least 8: "
                        + threads);
            }
            this.clientThreads = threads;
            return this;
        }

        public Builder browserAuth(boolean enabled) {
            this.browserAuth = enabled;
            return this;
        }

        /**
         * @param origins {@code scheme://host[:port]} origins and/or {@link #SELF_ORIGIN}; empty refuses every
         *                cookie-only WebSocket
         */
        public Builder allowedOrigins(List<String> origins) {
            Objects.requireNonNull(origins, "allowedOrigins");
            List<String> normalized = new ArrayList<>();
            for (String origin : origins) {
                normalized.add(normalizeOrigin(origin));
            }
            this.allowedOrigins = normalized;
            return this;
        }

        public Builder rewriteLocation(boolean enabled) {
            this.rewriteLocation = enabled;
            return this;
        }

        public Builder scopeCookies(boolean enabled) {
            this.scopeCookies = enabled;
            return this;
        }

        public Builder keepPrefix(boolean enabled) {
            this.keepPrefix = enabled;
            return this;
        }

        public Builder preserveHost(boolean enabled) {
            this.preserveHost = enabled;
            return this;
        }

        /** @param domain e.g. {@code sandbox.example.com}; {@code null} turns host-based routes off */
        public Builder baseDomain(String domain) {
            if (domain == null) {
                this.baseDomain = null;
                return this;
            }
            String d = domain.trim().toLowerCase(Locale.ROOT);
            if (d.startsWith(".")) {
                d = d.substring(1);
            }
            if (d.endsWith(".")) {
                d = d.substring(0, d.length() - 1);
            }
            for (String label : d.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
                    throw new IllegalArgumentException("baseDomain must be a DNS name such as sandbox.example.com: "
                            + domain);
                }
            }
            this.baseDomain = d;
            return this;
        }

        /** @param routes how path-style routes are served; {@link PathRoutes#OFF} needs a base domain */
        public Builder pathRoutes(PathRoutes routes) {
            this.pathRoutes = Objects.requireNonNull(routes, "pathRoutes");
            return this;
        }

        public Builder trustForwardedHost(boolean trust) {
            this.trustForwardedHost = trust;
            return this;
        }

        /** @param secret at least 32 bytes (UTF-8); {@code null} turns share links off */
        public Builder shareLinkSecret(String secret) {
            if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                throw new IllegalArgumentException("shareLinkSecret must be at least 32 bytes");
            }
            this.shareLinkSecret = secret;
            return this;
        }

        /** @param secret at least 32 bytes (UTF-8); {@code null} for a random key per process */
        public Builder cookieSecret(String secret) {
            if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                throw new IllegalArgumentException("cookieSecret must be at least 32 bytes");
            }
            this.cookieSecret = secret;
            return this;
        }

        public ProxyConfig build() {
            if (pathRoutes == PathRoutes.OFF && baseDomain == null) {
                throw new IllegalArgumentException("pathRoutes=off needs a baseDomain: no route would be left");
            }
            if (!pingInterval.isZero() && pingInterval.compareTo(idleTimeout) >= 0) {
                throw new IllegalArgumentException("pingInterval (" + pingInterval
                        + ") must be shorter than idleTimeout (" + idleTimeout + ") or zero");
            }
            return new ProxyConfig(this);
        }

        /** {@code self}, or a lower-case {@code scheme://host[:port]} without the scheme's default port. */
        static String normalizeOrigin(String origin) {
            Objects.requireNonNull(origin, "origin");
            String o = origin.trim();
            if (o.equalsIgnoreCase(SELF_ORIGIN)) {
                return SELF_ORIGIN;
            }
            URI uri;
            try {
                uri = new URI(o);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("allowedOrigins: not an origin: " + origin);
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null || !bare) {
                throw new IllegalArgumentException("allowedOrigins: expected scheme://host[:port] or self, got "
                        + origin);
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80)
                    || ("https".equals(scheme) && port == 443);
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
