package io.liteboxd.proxy;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.route.RouteParser;
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
 */
public final class SandboxGateway {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxGateway.class);

    /** The outcome of a successful admission: what was asked for, where it runs, and how to dial it. */
    public record Admission(SandboxRoute route, Sandbox sandbox, UpstreamTarget target) {
    }

    private final ProxyConfig config;
    private final RouteParser routes;
    private final TokenAuthenticator authenticator;
    private final SandboxResolver resolver;
    private final UpstreamConnector connector;

    public SandboxGateway(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                          UpstreamConnector connector) {
        this.config = Objects.requireNonNull(config, "config");
        this.routes = new RouteParser(config.routePrefix());
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    public ProxyConfig config() {
        return config;
    }

    public UpstreamConnector connector() {
        return connector;
    }

    /** Route parsing alone, for callers that need the route before they can read credentials. */
    public SandboxRoute route(String rawPath, String rawQuery) {
        return routes.parse(rawPath, rawQuery);
    }

    /**
     * Runs the whole pipeline.
     *
     * @param rawPath     the raw request path relative to the servlet context
     * @param rawQuery    the raw query or {@code null}
     * @param tokenValues every value of {@code X-Access-Token}
     * @param transport   HTTP or WebSocket
     * @throws ProxyException for every refusal, with its status and code
     */
    public Admission admit(String rawPath, String rawQuery, List<String> tokenValues, Transport transport) {
        SandboxRoute route = routes.parse(rawPath, rawQuery);
        String token = AccessTokens.fromHeader(tokenValues);
        authenticate(route, token);
        Sandbox sandbox = resolve(route);
        UpstreamTarget target = connect(sandbox, route, transport);
        return new Admission(route, sandbox, target);
    }

    private void authenticate(SandboxRoute route, String token) {
        boolean allowed;
        try {
            allowed = authenticator.authenticate(route.sandboxId(), token);
        } catch (ProxyException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("TokenAuthenticator failed for sandbox {}", route.sandboxId(), e);
            throw new ProxyException(ProxyError.INTERNAL, "authentication is unavailable");
        }
        if (!allowed) {
            throw new ProxyException(ProxyError.TOKEN_INVALID, "invalid access token for this sandbox");
        }
    }

    private Sandbox resolve(SandboxRoute route) {
        Optional<Sandbox> found;
        try {
            found = resolver.resolve(route.sandboxId());
        } catch (ProxyException e) {
            throw e;
        } catch (RuntimeException e) {
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
        } catch (RuntimeException e) {
            LOG.error("UpstreamConnector failed for sandbox {}", route.sandboxId(), e);
            throw new ProxyException(ProxyError.INTERNAL, "upstream address is unavailable");
        }
    }
}
