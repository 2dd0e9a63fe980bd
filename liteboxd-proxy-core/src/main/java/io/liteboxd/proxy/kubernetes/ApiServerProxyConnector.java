package io.liteboxd.proxy.kubernetes;

import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes HTTP and WebSocket through the Kubernetes API server's pod proxy (seed section 4.2):
 * {@code https://{apiserver}/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy{path}?{query}} ({@code wss://} for
 * WebSocket), with {@code Authorization} from the kubeconfig replacing whatever the client sent.
 *
 * <p>The gateway needs no network path to the pods, only to the API server, at the cost of every byte crossing the
 * API server; see {@code docs/kubernetes.md}. The route's raw path and query are appended unchanged. Because the
 * API server decodes the path and serves other resources next to {@code /proxy/}, this connector refuses, on its
 * own account and not only through {@link io.liteboxd.proxy.internal.route.RouteParser}, any path whose dot-segments could
 * climb out of {@code .../proxy/} in any decoding.
 */
public final class ApiServerProxyConnector implements UpstreamConnector {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerProxyConnector.class);

    // DNS-1123 subdomain: what the API server accepts as a pod name, and nothing that can alter a path.
    private static final Pattern POD_NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final KubernetesAccess access;
    private final String namespace;
    private final Function<String, Optional<String>> podNames;

    /**
     * A connector that asks {@code podNames} for the pod of each sandbox, e.g. {@link
     * KubernetesSandboxResolver#podName(String)}, whose informer also knows pods found by label rather than by name.
     *
     * @param access    the API server and its credentials
     * @param namespace the sandbox namespace, usually {@link KubernetesSettings#namespace()}
     * @param podNames  sandbox id to the name of the pod serving it, or empty when there is none now (the pod went
     *                  away after the resolver found it: 404 {@code sandbox_not_found}); called on a request thread
     *                  for every request, so it must answer from memory
     */
    public ApiServerProxyConnector(KubernetesAccess access, String namespace,
                                   Function<String, Optional<String>> podNames) {
        this.access = Objects.requireNonNull(access, "access");
        // Reuse the settings' validation: the namespace becomes a path segment.
        this.namespace = KubernetesSettings.builder().namespace(namespace).build().namespace();
        this.podNames = Objects.requireNonNull(podNames, "podNames");
    }

    /**
     * A connector for {@code settings.namespace()} that names the pod of sandbox {@code id} by the naming rule
     * {@link KubernetesSettings#podName(String)} ({@code sandbox-{id}} by default, as LiteBoxd names them), for
     * deployments without a pod informer.
     */
    public ApiServerProxyConnector(KubernetesAccess access, KubernetesSettings settings) {
        this(access, settings.namespace(), id -> Optional.of(settings.podName(id)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Asks for the sandbox's pod name, not its host: the API server finds the pod itself.
     */
    @Override
    public UpstreamTarget target(Sandbox sandbox, SandboxRoute route, Transport transport) {
        String pod = podNames.apply(sandbox.id()).orElseThrow(() -> new ProxyException(ProxyError.SANDBOX_NOT_FOUND,
                "sandbox not found: " + sandbox.id()));
        if (pod.length() > 253 || !POD_NAME.matcher(pod).matches()) {
            // A configuration or resolver bug, not a client error: the name never comes from the request.
            throw new IllegalArgumentException("pod name is not a valid Kubernetes name: " + pod);
        }
        String path = route.path();
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0 || escapesRoot(path)) {
            throw new ProxyException(ProxyError.ROUTE_INVALID, "path must not leave the sandbox root");
        }
        String proxyRoot = "/api/v1/namespaces/" + namespace + "/pods/" + pod + ":" + route.port() + "/proxy";
        String uri = scheme(transport) + "://" + access.server().getRawAuthority()
                + basePath() + proxyRoot + path + (route.query() == null ? "" : "?" + route.query());
        URI target;
        try {
            target = new URI(uri);
        } catch (URISyntaxException e) {
            throw new ProxyException(ProxyError.ROUTE_INVALID, "path or query is not a valid URI: " + e.getReason());
        }
        Optional<String> authorization;
        try {
            authorization = access.authorization();
        } catch (RuntimeException e) {
            LOG.error("Cannot obtain Kubernetes API credentials", e);
            throw new ProxyException(ProxyError.UNAVAILABLE, "the gateway cannot authenticate to Kubernetes");
        }
        // Always the gateway's identity, also when it is a client certificate and no header.
        return new UpstreamTarget(target, authorization.map(a -> Map.of("Authorization", a)).orElse(Map.of()), true);
    }

    /** The kubeconfig's TLS: exactly its CA (or no checks with insecure-skip-tls-verify) and its client cert. */
    @Override
    public Optional<SSLContext> sslContext() {
        return Optional.of(access.sslContext());
    }

    private String scheme(Transport transport) {
        boolean tls = "https".equals(access.server().getScheme());
        if (transport == Transport.WEBSOCKET) {
            return tls ? "wss" : "ws";
        }
        return tls ? "https" : "http";
    }

    private String basePath() {
        String p = access.server().getRawPath();
        return p == null ? "" : p;
    }

    /**
     * True when the dot-segments of {@code path} would climb above its root once decoded, however many times the
     * API server or anything behind it decodes: percent escapes are undone until nothing changes, and backslashes
     * count as separators.
     */
    static boolean escapesRoot(String path) {
        String s = path;
        for (int round = 0; round < 8; round++) {
            String decoded = decodeSeparatorsAndDots(s);
            if (decoded.equals(s)) {
                break;
            }
            s = decoded;
        }
        s = s.replace('\\', '/');
        int depth = 0;
        for (String segment : s.split("/", -1)) {
            // A ';' starts path parameters in some servers, so "..;x" is treated like "..".
            String name = segment.indexOf(';') >= 0 ? segment.substring(0, segment.indexOf(';')) : segment;
            if (name.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!name.isEmpty() && !name.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    private static String decodeSeparatorsAndDots(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                switch (s.substring(i + 1, i + 3).toLowerCase(Locale.ROOT)) {
                    case "2e" -> { out.append('.'); i += 2; continue; }
                    case "2f" -> { out.append('/'); i += 2; continue; }
                    case "5c" -> { out.append('\\'); i += 2; continue; }
                    case "25" -> { out.append('%'); i += 2; continue; }
                    case "3b" -> { out.append(';'); i += 2; continue; }
                    default -> { }
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
