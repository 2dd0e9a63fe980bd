package io.liteboxd.gateway;

import io.liteboxd.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the command line decides, validated on construction so that a {@code GatewayOptions} can always be
 * started.
 *
 * @param host           the address to listen on, without brackets for IPv6 (e.g. {@code 127.0.0.1}, {@code ::1})
 * @param port           the port to listen on; {@code 0} picks a free one
 * @param sandboxesFile  the static sandbox map, or {@code null} to serve the in-process demo sandbox
 * @param requestTimeout see {@link ProxyConfig#requestTimeout()}
 * @param pingInterval   see {@link ProxyConfig#pingInterval()}
 * @param idleTimeout    see {@link ProxyConfig#idleTimeout()}
 * @param baseDomain     see {@link ProxyConfig#baseDomain()}; {@code null} for path-style routes only
 * @param kubernetes     the Kubernetes flags ({@link KubernetesOptions#NONE} without any); which set-up runs is
 *                       decided with the environment by {@link GatewayMode#select}
 * @param pathRoutes     see {@link ProxyConfig#pathRoutes()}; {@code null} for the default
 * @param limits         connection caps and deadlines; {@code null} for {@link LimitOptions#DEFAULTS}
 * @param deploy         admin port and shared signing key; {@code null} for {@link DeployOptions#NONE}
 */
public record GatewayOptions(String host, int port, Path sandboxesFile, Duration requestTimeout,
                             Duration pingInterval, Duration idleTimeout, String baseDomain,
                             KubernetesOptions kubernetes, ProxyConfig.PathRoutes pathRoutes, LimitOptions limits,
                             DeployOptions deploy) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public GatewayOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        kubernetes = kubernetes == null ? KubernetesOptions.NONE : kubernetes;
        pathRoutes = pathRoutes == null ? ProxyConfig.PathRoutes.ON : pathRoutes;
        limits = limits == null ? LimitOptions.DEFAULTS : limits;
        deploy = deploy == null ? DeployOptions.NONE : deploy;
        if (deploy.adminEnabled() && deploy.adminPort() != 0 && deploy.adminPort() == port) {
            throw new IllegalArgumentException("the admin port must differ from the listen port: " + port);
        }
        // Cross-field rules (ping shorter than idle, path routes off only with a base domain) live in ProxyConfig;
        // fail here rather than at start.
        toProxyConfig(requestTimeout, pingInterval, idleTimeout, baseDomain, pathRoutes, limits);
    }

    /** Options without an admin port or a signing key. */
    public GatewayOptions(String host, int port, Path sandboxesFile, Duration requestTimeout, Duration pingInterval,
                          Duration idleTimeout, String baseDomain, KubernetesOptions kubernetes,
                          ProxyConfig.PathRoutes pathRoutes, LimitOptions limits) {
        this(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain, kubernetes, pathRoutes,
                limits, null);
    }

    /** Options with the default path routes and limits. */
    public GatewayOptions(String host, int port, Path sandboxesFile, Duration requestTimeout, Duration pingInterval,
                          Duration idleTimeout, String baseDomain, KubernetesOptions kubernetes) {
        this(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain, kubernetes, null,
                null);
    }

    /** Options without Kubernetes flags. */
    public GatewayOptions(String host, int port, Path sandboxesFile, Duration requestTimeout, Duration pingInterval,
                          Duration idleTimeout, String baseDomain) {
        this(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain,
                KubernetesOptions.NONE);
    }

    /** Options without host-style routes. */
    public GatewayOptions(String host, int port, Path sandboxesFile, Duration requestTimeout, Duration pingInterval,
                          Duration idleTimeout) {
        this(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, null);
    }

    /** Listen on the loopback default with the library's default timeouts and the demo sandbox. */
    public static GatewayOptions defaults() {
        ProxyConfig d = ProxyConfig.defaults();
        return new GatewayOptions(DEFAULT_HOST, DEFAULT_PORT, null, d.requestTimeout(), d.pingInterval(),
                d.idleTimeout());
    }

    public GatewayOptions withListen(String newHost, int newPort) {
        return new GatewayOptions(newHost, newPort, sandboxesFile, requestTimeout, pingInterval, idleTimeout,
                baseDomain, kubernetes, pathRoutes, limits, deploy);
    }

    public GatewayOptions withSandboxesFile(Path file) {
        return new GatewayOptions(host, port, file, requestTimeout, pingInterval, idleTimeout, baseDomain,
                kubernetes, pathRoutes, limits, deploy);
    }

    /** The same options with host-style routes {@code {port}-{sandbox-id}.{domain}} ({@code null}: off). */
    public GatewayOptions withBaseDomain(String domain) {
        return new GatewayOptions(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, domain,
                kubernetes, pathRoutes, limits, deploy);
    }

    /** The same options with these Kubernetes flags ({@code null}: none). */
    public GatewayOptions withKubernetes(KubernetesOptions flags) {
        return new GatewayOptions(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain,
                flags, pathRoutes, limits, deploy);
    }

    /** The same options with path-style routes served as {@code routes} says. */
    public GatewayOptions withPathRoutes(ProxyConfig.PathRoutes routes) {
        return new GatewayOptions(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain,
                kubernetes, routes, limits, deploy);
    }

    /** The same options with these connection caps and deadlines. */
    public GatewayOptions withLimits(LimitOptions newLimits) {
        return new GatewayOptions(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain,
                kubernetes, pathRoutes, newLimits, deploy);
    }

    /** The same options with this admin port and signing key. */
    public GatewayOptions withDeploy(DeployOptions newDeploy) {
        return new GatewayOptions(host, port, sandboxesFile, requestTimeout, pingInterval, idleTimeout, baseDomain,
                kubernetes, pathRoutes, limits, newDeploy);
    }

    /** No sandboxes file: the demo, unless a kubeconfig selects Kubernetes mode (see {@link GatewayMode}). */
    public boolean demoMode() {
        return sandboxesFile == null;
    }

    /** The library configuration these options describe; defaults for everything the command line does not set. */
    public ProxyConfig proxyConfig() {
        return toProxyConfig(requestTimeout, pingInterval, idleTimeout, baseDomain, pathRoutes, limits);
    }

    private static ProxyConfig toProxyConfig(Duration requestTimeout, Duration pingInterval, Duration idleTimeout,
                                             String baseDomain, ProxyConfig.PathRoutes pathRoutes,
                                             LimitOptions limits) {
        return ProxyConfig.builder()
                // The upstream client runs on the server's (fixed) pool: see GatewayServer.THREADS.
                .clientThreads(0)
                .requestTimeout(requestTimeout)
                .pingInterval(pingInterval)
                .idleTimeout(idleTimeout)
                .baseDomain(baseDomain)
                .pathRoutes(pathRoutes)
                .maxConnections(limits.maxWebSockets())
                .maxConnectionsPerSandbox(limits.maxWebSocketsPerSandbox())
                .build();
    }
}
