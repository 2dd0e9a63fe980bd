package io.liteboxd.gateway;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.internal.config.Durations;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the command line by hand. Strict on purpose: an unknown, repeated or malformed option is an error, never
 * silently ignored, because a gateway that starts with a setting other than the one asked for is worse than one
 * that does not start.
 */
public final class GatewayArgs {

    /** What the command line asks for. */
    public sealed interface Command permits Run, Help {
    }

    /** Start the gateway with these options. */
    public record Run(GatewayOptions options) implements Command {
    }

    /** Print the usage and exit successfully. */
    public record Help() implements Command {
    }

    private static final String USAGE = """
            Usage: java -jar liteboxd-gateway.jar [options]

            Serves /api/v1/sandbox/{sandbox-id}/port/{port}/{path}, authenticated by the X-Access-Token header
            (browsers: the liteboxd_token query parameter, then a cookie), and proxies HTTP and WebSocket traffic
            to http://{host}:{port}/{path}.

            Options:
              --listen HOST:PORT        address to listen on (default 127.0.0.1:8080; IPv6 as [::1]:8080; port 0 picks one)
              --sandboxes FILE          JSON map of sandboxes, hosts and tokens; without it (and without a
                                        kubeconfig) an in-process demo sandbox "demo" is served with a random
                                        token printed at start
              --request-timeout DUR     longest stall of one read or write on either leg (default 30s)
              --ping-interval DUR       WebSocket keepalive ping interval, 0 to disable (default 20s)
              --idle-timeout DUR        close a WebSocket that receives nothing for this long (default 60s)
              --base-domain D           also route hosts {port}-{sandbox-id}.D to that sandbox port, whole path
                                        and query passed as they are (for apps that cannot live under a prefix)
              --path-routes MODE        on, header-only (X-Access-Token only: browsers use host routes) or off
                                        (needs --base-domain) (default on); never served on D or hosts under it

            Limits (0 turns one off):
              --header-timeout DUR      close a connection whose request head is not complete this long after
                                        its first byte (default 60s)
              --max-connections N       client connections open at once; over it, new ones are closed at
                                        once (default 20000)
              --max-connections-per-ip N  the same per client address (default 1000; behind a reverse proxy
                                        all clients share its address)
              --max-websockets N        WebSockets relayed at once; over it, 503 (default 10000)
              --max-websockets-per-sandbox N  the same per sandbox (default 100)
              -h, --help                print this help and exit

            Running several replicas (docs/deploy.md):
              --admin-port PORT         serve /healthz, /readyz and /metrics (Prometheus) on this port of the
                                        --listen host, apart from the sandbox routes (default: off)
              --signing-key-file FILE   key that signs browser cookies and share links (at least 32 bytes; one
                                        trailing newline is ignored); give every replica the same file. Without
                                        it cookies are signed with a random key of this process, work only on
                                        the replica that set them, and share links are off

            Kubernetes (docs/kubernetes.md):
              --kubeconfig FILE         API server and credentials; else the first existing file in KUBECONFIG,
                                        else the service account when in a pod (never ~/.kube/config).
                                        Without --sandboxes, a kubeconfig means: serve the sandbox pods, tokens
                                        from their liteboxd.io/access-token annotation
              --k8s-proxy               reach sandboxes through the API server's pod proxy, not their IPs
                                        (also DEV_USE_K8S_PROXY=true); with --sandboxes the file still resolves
                                        and authenticates, and names the pod ("podName", default P{id})
              --namespace NAME          namespace of the sandbox pods (default liteboxd)
              --pod-name-prefix P       pod of sandbox {id} is P{id} (default sandbox-)

            DUR is e.g. 500ms, 30s, 5m, 1h or ISO-8601 (PT30S); a bare number is seconds.
            Sandboxes file: {"sandboxes":[{"id":"abc12345","host":"10.0.0.7","token":"s3cret","ports":[8000]}]}
            """;

    private GatewayArgs() {
    }

    public static String usage() {
        return USAGE;
    }

    public static Command parse(String... args) throws UsageException {
        return parse(List.of(args));
    }

    public static Command parse(List<String> args) throws UsageException {
        GatewayOptions defaults = GatewayOptions.defaults();
        String host = defaults.host();
        int port = defaults.port();
        Path sandboxes = null;
        Duration requestTimeout = defaults.requestTimeout();
        Duration pingInterval = defaults.pingInterval();
        Duration idleTimeout = defaults.idleTimeout();
        String baseDomain = null;
        ProxyConfig.PathRoutes pathRoutes = null;
        LimitOptions limits = LimitOptions.DEFAULTS;
        boolean k8sProxy = false;
        Path kubeconfig = null;
        String namespace = null;
        String podNamePrefix = null;
        DeployOptions deploy = DeployOptions.NONE;

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                return new Help();
            }
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument: " + arg);
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unknown option: " + arg);
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!isKnown(name)) {
                throw new UsageException("unknown option: " + name);
            }
            if (!seen.add(name)) {
                throw new UsageException(name + " given more than once");
            }
            if (isSwitch(name)) {
                // On by being present; "--k8s-proxy=false" would read as off while turning it on.
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
            } else {
                if (value == null) {
                    // "--listen --sandboxes x" would otherwise take "--sandboxes" as the address.
                    if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args.get(++i);
                }
                if (value.isBlank()) {
                    throw new UsageException(name + " needs a value");
                }
            }
            switch (name) {
                case "--listen" -> {
                    Listen listen = parseListen(value);
                    host = listen.host();
                    port = listen.port();
                }
                case "--sandboxes" -> sandboxes = path(name, value);
                case "--request-timeout" -> requestTimeout = positiveDuration(name, value);
                case "--ping-interval" -> pingInterval = duration(name, value);
                case "--idle-timeout" -> idleTimeout = positiveDuration(name, value);
                case "--base-domain" -> baseDomain = value;
                case "--path-routes" -> pathRoutes = pathRoutes(value);
                case "--header-timeout" -> limits = limits.withHeaderTimeout(duration(name, value));
                case "--max-connections" -> limits = limits.withConnections(count(name, value),
                        limits.maxConnectionsPerIp());
                case "--max-connections-per-ip" -> limits = limits.withConnections(limits.maxConnections(),
                        count(name, value));
                case "--max-websockets" -> limits = new LimitOptions(limits.headerTimeout(), limits.maxConnections(),
                        limits.maxConnectionsPerIp(), count(name, value), limits.maxWebSocketsPerSandbox());
                case "--max-websockets-per-sandbox" -> limits = new LimitOptions(limits.headerTimeout(),
                        limits.maxConnections(), limits.maxConnectionsPerIp(), limits.maxWebSockets(),
                        count(name, value));
                case "--k8s-proxy" -> k8sProxy = true;
                case "--kubeconfig" -> kubeconfig = path(name, value);
                case "--namespace" -> namespace = namespace(value);
                case "--pod-name-prefix" -> podNamePrefix = podNamePrefix(value);
                case "--admin-port" -> deploy = deploy.withAdminPort(adminPort(value));
                case "--signing-key-file" -> deploy = deploy.withSigningKeyFile(path(name, value));
                default -> throw new IllegalStateException("option known but not handled: " + name);
            }
        }
        try {
            return new Run(new GatewayOptions(host, port, sandboxes, requestTimeout, pingInterval, idleTimeout,
                    baseDomain, new KubernetesOptions(k8sProxy, kubeconfig, namespace, podNamePrefix), pathRoutes,
                    limits, deploy));
        } catch (IllegalArgumentException e) {
            // ProxyConfig names settings in camelCase; the person typed flags, so name the flags.
            throw new UsageException(e.getMessage()
                    .replace("pingInterval", "--ping-interval")
                    .replace("idleTimeout", "--idle-timeout")
                    .replace("requestTimeout", "--request-timeout")
                    .replace("baseDomain", "--base-domain")
                    .replace("pathRoutes", "--path-routes")
                    .replace("the admin port", "--admin-port")
                    .replace("the listen port", "the --listen port"));
        }
    }

    private static Path path(String name, String value) throws UsageException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(name + ": not a file path: " + e.getReason());
        }
    }

    /** Options that take no value. */
    private static boolean isSwitch(String name) {
        return name.equals("--k8s-proxy");
    }

    private static String namespace(String value) throws UsageException {
        try {
            return KubernetesSettings.builder().namespace(value).build().namespace();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--namespace: not a Kubernetes namespace (a-z, 0-9 and inner '-', at most 63"
                    + " characters): " + value);
        }
    }

    private static String podNamePrefix(String value) throws UsageException {
        try {
            return KubernetesSettings.builder().podNamePrefix(value).build().podNamePrefix();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pod-name-prefix: must start a Kubernetes pod name (a-z, 0-9, '-' and '.',"
                    + " starting with a letter or digit): " + value);
        }
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "--listen", "--sandboxes", "--request-timeout", "--ping-interval", "--idle-timeout",
                 "--base-domain", "--path-routes" -> true;
            case "--header-timeout", "--max-connections", "--max-connections-per-ip", "--max-websockets",
                 "--max-websockets-per-sandbox" -> true;
            case "--k8s-proxy", "--kubeconfig", "--namespace", "--pod-name-prefix" -> true;
            case "--admin-port", "--signing-key-file" -> true;
            default -> false;
        };
    }

    private record Listen(String host, int port) {
    }

    private static Listen parseListen(String value) throws UsageException {
        String host;
        String portText;
        if (value.startsWith("[")) {
            int close = value.indexOf("]:");
            if (close < 0) {
                throw new UsageException("--listen: expected [IPV6]:PORT, got " + value);
            }
            host = value.substring(1, close);
            portText = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw new UsageException("--listen: expected HOST:PORT, got " + value);
            }
            host = value.substring(0, colon);
            portText = value.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new UsageException("--listen: put an IPv6 address in brackets, e.g. [::1]:8080");
            }
        }
        if (host.isEmpty()) {
            throw new UsageException("--listen: missing host in " + value + " (use 0.0.0.0:PORT for all interfaces)");
        }
        return new Listen(host, parsePort(portText));
    }

    private static int parsePort(String text) throws UsageException {
        return port("--listen", text);
    }

    private static int adminPort(String text) throws UsageException {
        return port("--admin-port", text);
    }

    private static int port(String name, String text) throws UsageException {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException(name + ": port must be a number from 0 to 65535, got " + quote(text));
        }
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new UsageException(name + ": port must be a number from 0 to 65535, got " + text);
        }
        return port;
    }

    private static Duration duration(String name, String value) throws UsageException {
        try {
            Duration d = Durations.parse(value);
            if (d.isNegative()) {
                throw new UsageException(name + ": must not be negative, got " + value);
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
    }

    private static ProxyConfig.PathRoutes pathRoutes(String value) throws UsageException {
        try {
            return ProxyConfig.parsePathRoutes(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--path-routes: expected on, header-only or off, got " + value);
        }
    }

    /** A count of connections: 0 (no cap) or more. */
    private static int count(String name, String value) throws UsageException {
        if (value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException(name + ": expected a whole number, 0 for no limit, got " + quote(value));
        }
        return Integer.parseInt(value);
    }

    private static Duration positiveDuration(String name, String value) throws UsageException {
        Duration d = duration(name, value);
        if (d.isZero()) {
            throw new UsageException(name + ": must be longer than zero, got " + value);
        }
        return d;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
