package io.liteboxd.proxy.resolve;

import java.util.Objects;
import java.util.Set;

/**
 * Where a sandbox runs, as far as the gateway needs to know.
 *
 * <p>Nothing here is tied to Kubernetes: a connector that needs more than the host (the API-server connector needs
 * the pod's name) looks it up by {@link #id()} itself.
 *
 * @param id      the sandbox id from the route
 * @param host    the address a direct connector dials (the pod IP); may be {@code null} while the sandbox has none
 * @param ready   whether the sandbox accepts traffic now; {@code false} answers 503 without dialling
 * @param ports   an allow-list of ports; empty means every port is allowed
 * @param keepPrefixPorts   ports whose app gets the whole path, route prefix included (see
 *                          {@link io.liteboxd.proxy.config.ProxyConfig#keepPrefix()}, which applies to every port)
 * @param preserveHostPorts ports whose app gets the client's {@code Host} (see
 *                          {@link io.liteboxd.proxy.config.ProxyConfig#preserveHost()})
 */
public record Sandbox(String id, String host, boolean ready, Set<Integer> ports,
                      Set<Integer> keepPrefixPorts, Set<Integer> preserveHostPorts) {

    public Sandbox {
        Objects.requireNonNull(id, "id");
        ports = ports == null ? Set.of() : Set.copyOf(ports);
        keepPrefixPorts = keepPrefixPorts == null ? Set.of() : Set.copyOf(keepPrefixPorts);
        preserveHostPorts = preserveHostPorts == null ? Set.of() : Set.copyOf(preserveHostPorts);
    }

    /** A sandbox whose ports all take the deployment's forwarding defaults. */
    public Sandbox(String id, String host, boolean ready, Set<Integer> ports) {
        this(id, host, ready, ports, Set.of(), Set.of());
    }

    /** The same sandbox with these per-port forwarding options. */
    public Sandbox withForwarding(Set<Integer> keepPrefixPorts, Set<Integer> preserveHostPorts) {
        return new Sandbox(id, host, ready, ports, keepPrefixPorts, preserveHostPorts);
    }

    /** A ready sandbox reachable at {@code host} on every port. */
    public static Sandbox ready(String id, String host) {
        return new Sandbox(id, host, true, Set.of());
    }

    /** True if the allow-list is empty or contains {@code port}. */
    public boolean allowsPort(int port) {
        return ports.isEmpty() || ports.contains(port);
    }
}
