package io.liteboxd.proxy.resolve;

import java.util.Objects;
import java.util.Set;

/**
 * Where a sandbox runs, as far as the gateway needs to know.
 *
 * @param id      the sandbox id from the route
 * @param podName the Kubernetes pod name (used by the API-server connector), e.g. {@code sandbox-abc12345}
 * @param host    the address to dial in direct mode (the pod IP); may be {@code null} while the pod has none
 * @param ready   whether the sandbox accepts traffic now; {@code false} answers 503 without dialling
 * @param ports   an allow-list of ports; empty means every port is allowed
 * @param keepPrefixPorts   ports whose app gets the whole path, route prefix included (see
 *                          {@link io.liteboxd.proxy.config.ProxyConfig#keepPrefix()}, which applies to every port)
 * @param preserveHostPorts ports whose app gets the client's {@code Host} (see
 *                          {@link io.liteboxd.proxy.config.ProxyConfig#preserveHost()})
 */
public record Sandbox(String id, String podName, String host, boolean ready, Set<Integer> ports,
                      Set<Integer> keepPrefixPorts, Set<Integer> preserveHostPorts) {

    public Sandbox {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(podName, "podName");
        ports = ports == null ? Set.of() : Set.copyOf(ports);
        keepPrefixPorts = keepPrefixPorts == null ? Set.of() : Set.copyOf(keepPrefixPorts);
        preserveHostPorts = preserveHostPorts == null ? Set.of() : Set.copyOf(preserveHostPorts);
    }

    /** A sandbox whose ports all take the deployment's forwarding defaults. */
    public Sandbox(String id, String podName, String host, boolean ready, Set<Integer> ports) {
        this(id, podName, host, ready, ports, Set.of(), Set.of());
    }

    /** The same sandbox with these per-port forwarding options. */
    public Sandbox withForwarding(Set<Integer> keepPrefixPorts, Set<Integer> preserveHostPorts) {
        return new Sandbox(id, podName, host, ready, ports, keepPrefixPorts, preserveHostPorts);
    }

    /** A ready sandbox reachable at {@code host} on every port, with the conventional pod name {@code sandbox-{id}}. */
    public static Sandbox ready(String id, String host) {
        return new Sandbox(id, "sandbox-" + id, host, true, Set.of());
    }

    /** True if the allow-list is empty or contains {@code port}. */
    public boolean allowsPort(int port) {
        return ports.isEmpty() || ports.contains(port);
    }
}
