package io.liteboxd.proxy.internal.admission;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.auth.Credential;
import io.liteboxd.proxy.internal.auth.GatewayCookies;
import io.liteboxd.proxy.internal.auth.OriginPolicy;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.internal.route.HostRouteParser;
import io.liteboxd.proxy.internal.route.RawQuery;
import io.liteboxd.proxy.internal.route.RouteParser;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.route.RouteStyle;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission pipeline every request goes through before a byte reaches a sandbox:
 * route -> authenticate -> resolve -> connect. Container-neutral; the servlet layer feeds it raw request parts and
 * relays according to the {@link Admission} it returns.
 *
 * <p>Routes are host-style ({@code {port}-{id}.{baseDomain}}) when host routing is configured and the request's host
 * is such a host, and path-style ({@code {prefix}/{id}/port/{port}}) otherwise, as {@link ProxyConfig#pathRoutes()}
 * allows: never on a host equal to or under the base domain, only with {@code X-Access-Token} when
 * {@code header-only}, not at all when {@code off}. The {@code liteboxd_token} query
 * parameter is removed from the route here, so no connector can forward it.
 */
public final class SandboxGateway {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxGateway.class);

    /**
     * The outcome of a successful admission: what was asked for (the route, without the gateway's query
     * parameter), where it runs, how to dial it, and how the client authenticated.
     *
     * @param route       the route as it will be forwarded
     * @param sandbox     the resolved sandbox
     * @param target      the upstream to dial
     * @param tokenSource where the token came from
     * @param token       the token that authenticated; never printed by {@link #toString()}
     * @param cookie      the value of the cookie the gateway keeps this credential in (a signed token cookie for a
     *                    query parameter, the link for a share link), or {@code null} when it sets none; never
     *                    printed
     * @param keepPrefix   the route forwards the whole path, route prefix included ({@link ProxyConfig#keepPrefix()})
     * @param preserveHost the upstream gets the client's {@code Host} ({@link ProxyConfig#preserveHost()})
     */
    public record Admission(SandboxRoute route, Sandbox sandbox, UpstreamTarget target, TokenSource tokenSource,
                            String token, String cookie, boolean keepPrefix, boolean preserveHost) {

        @Override
        public String toString() {
            return "Admission{route=" + route + ", sandbox=" + sandbox.id() + ", target=" + target.uri()
                    + ", tokenSource=" + tokenSource + "}";
        }
    }

    private final ProxyConfig config;
    private final RouteParser routes;
    private final HostRouteParser hostRoutes;
    private final OriginPolicy origins;
    private final ShareLinks shareLinks;
    private final GatewayCookies cookies;
    private final TokenAuthenticator authenticator;
    private final SandboxResolver resolver;
    private final UpstreamConnector connector;

    public SandboxGateway(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                          UpstreamConnector connector) {
        this.config = Objects.requireNonNull(config, "config");
        this.routes = new RouteParser(config.routePrefix());
        this.hostRoutes = config.hostRouting() ? new HostRouteParser(config.baseDomain()) : null;
        this.origins = new OriginPolicy(config.allowedOrigins());
        this.shareLinks = config.shareLinkSecret() == null ? null : new ShareLinks(config.shareLinkSecret());
        this.cookies = config.browserAuth() ? GatewayCookies.of(config.cookieSecret()) : null;
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    /**
     * Route parsing alone, host-style when {@code host} is a sandbox host under the configured base domain,
     * path-style otherwise.
     *
     * @throws ProxyException {@code route_invalid} for a malformed route, {@code route_not_found} for a path-style
     *                        route on a host under the base domain or when path routes are off
     */
    public SandboxRoute route(String host, String rawPath, String rawQuery) {
        if (hostRoutes != null) {
            Optional<SandboxRoute> byHost = hostRoutes.parse(host, rawPath, rawQuery);
            if (byHost.isPresent()) {
                return byHost.get();
            }
            if (hostRoutes.covers(host)) {
                // The base domain's hosts are sandbox sites: a path route there would serve every sandbox on them.
                throw new ProxyException(ProxyError.ROUTE_NOT_FOUND, "no route on this host: sandbox hosts are"
                        + " {port}-{sandbox-id}." + hostRoutes.baseDomain());
            }
        }
        return pathRoute(rawPath, rawQuery);
    }

    private SandboxRoute pathRoute(String rawPath, String rawQuery) {
        if (config.pathRoutes() == ProxyConfig.PathRoutes.OFF) {
            throw new ProxyException(ProxyError.ROUTE_NOT_FOUND, "path-style routes are off: use {port}-{sandbox-id}."
                    + config.baseDomain());
        }
        return routes.parse(rawPath, rawQuery);
    }

    /**
     * Runs the whole pipeline: route (host- or path-style), pick the credential ({@link Credential}: header, then
     * query parameter, then cookie), check the Origin of cookie-only requests ({@link OriginPolicy}), authenticate,
     * resolve, connect.
     *
     * @throws ProxyException for every refusal, with its status and code
     */
    public Admission admit(GatewayRequest request) {
        SandboxRoute route = route(request.host(), request.rawPath(), request.rawQuery());
        // header-only path routes: no browser credential may make a session on the origin all sandboxes share.
        boolean browsers = route.style() == RouteStyle.HOST || config.pathRoutes() == ProxyConfig.PathRoutes.ON;
        SandboxRoute scope = route;
        Credential credential = Credential.of(request.tokenHeaders(), route.query(), request.cookieHeaders(),
                config.browserAuth() && browsers, shareLinks != null && browsers,
                value -> cookies.open(value, scope.sandboxId(), scope.sandboxPath()),
                value -> shareLinks.verify(value, scope.sandboxId(), scope.port()) ? value : null);
        route = withoutGatewayParameters(route);
        if (credential.source().ambient()
                && OriginPolicy.applies(request.transport() == Transport.WEBSOCKET, request.method(), request.origin())
                && !origins.allows(request.origin(), request.host())) {
            // Before authenticating: a page of another origin learns nothing, and the SPI is not called for it.
            throw new ProxyException(ProxyError.ORIGIN_FORBIDDEN, request.origin() == null
                    ? "a request authenticated by cookie must carry an allowed Origin"
                    : "origin not allowed for a request authenticated by cookie");
        }
        String token = credential.source().shared()
                ? verifyShareLink(route, credential.candidates())
                : authenticate(route, credential.candidates());
        Sandbox sandbox = resolve(route);
        boolean keepPrefix = route.style() == RouteStyle.PATH
                && (config.keepPrefix() || sandbox.keepPrefixPorts().contains(route.port()));
        if (keepPrefix) {
            // Exactly as the browser sent it: the app was configured with this prefix as its base path.
            route = route.withPath(request.contextPath() + route.mountPath() + route.path());
        }
        UpstreamTarget target = connect(sandbox, route, request.transport());
        // The API server needs its own Host; only a direct connection can carry the client's.
        boolean preserveHost = !target.carriesGatewayIdentity()
                && (config.preserveHost() || sandbox.preserveHostPorts().contains(route.port()));
        String cookie = switch (credential.source()) {
            case QUERY -> request.transport() == Transport.HTTP
                    ? cookies.sign(route.sandboxId(), route.sandboxPath(), token) : null;
            case SHARE_LINK -> token;
            default -> null;
        };
        return new Admission(route, sandbox, target, credential.source(), token, cookie, keepPrefix, preserveHost);
    }

    /** The route without the gateway's own query parameters, which no connector may forward. */
    private static SandboxRoute withoutGatewayParameters(SandboxRoute route) {
        String query = RawQuery.without(route.query(), AccessTokens.QUERY_PARAMETER);
        return route.withQuery(RawQuery.without(query, ShareLinks.PARAMETER));
    }

    /** The first share link value signed for this sandbox and port and not expired; 401 otherwise. */
    private String verifyShareLink(SandboxRoute route, List<String> candidates) {
        for (String value : candidates) {
            if (shareLinks.verify(value, route.sandboxId(), route.port())) {
                return value;
            }
        }
        throw new ProxyException(ProxyError.TOKEN_INVALID, "share link is invalid or has expired");
    }

    /** The first candidate that opens the sandbox; 401 when none does. */
    private String authenticate(SandboxRoute route, List<String> candidates) {
        for (String token : candidates) {
            boolean allowed;
            try {
                allowed = authenticator.authenticate(route.sandboxId(), token);
            } catch (ProxyException e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                LOG.error("TokenAuthenticator failed for sandbox {}", route.sandboxId(), e);
                throw new ProxyException(ProxyError.INTERNAL, "authentication is unavailable");
            }
            if (allowed) {
                return token;
            }
        }
        throw new ProxyException(ProxyError.TOKEN_INVALID, "invalid access token for this sandbox");
    }

    private Sandbox resolve(SandboxRoute route) {
        Optional<Sandbox> found;
        try {
            found = resolver.resolve(route.sandboxId());
        } catch (ProxyException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            LOG.error("SandboxResolver failed for sandbox {}", route.sandboxId(), e);
            throw new ProxyException(ProxyError.INTERNAL, "sandbox lookup is unavailable");
        }
        Sandbox sandbox = found == null ? null : found.orElse(null);
        if (sandbox == null) {
            throw new ProxyException(ProxyError.SANDBOX_NOT_FOUND, "sandbox not found: " + route.sandboxId());
        }
        if (!sandbox.allowsPort(route.port())) {
            throw new ProxyException(ProxyError.PORT_FORBIDDEN, "port " + route.port() + " is not open on this sandbox");
        }
        if (!sandbox.ready()) {
            throw new ProxyException(ProxyError.SANDBOX_NOT_READY, "sandbox is not ready: " + route.sandboxId());
        }
        return sandbox;
    }

    private UpstreamTarget connect(Sandbox sandbox, SandboxRoute route, Transport transport) {
        try {
            return Objects.requireNonNull(connector.target(sandbox, route, transport), "UpstreamConnector returned null");
        } catch (ProxyException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            LOG.error("UpstreamConnector failed for sandbox {}", route.sandboxId(), e);
            throw new ProxyException(ProxyError.INTERNAL, "upstream address is unavailable");
        }
    }
}
