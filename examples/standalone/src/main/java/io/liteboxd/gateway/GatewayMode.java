package io.liteboxd.gateway;

import io.liteboxd.proxy.kubernetes.KubernetesAccess;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Which set-up the command line and the environment select, decided before anything starts:
 *
 * <ol>
 *   <li>{@code --sandboxes FILE}: the static map resolves, authenticates and names each sandbox's host
 *       ({@link Kind#SANDBOXES});</li>
 *   <li>{@code --sandboxes FILE} with {@code --k8s-proxy} or {@code DEV_USE_K8S_PROXY=true}: the static map
 *       resolves and authenticates, the upstream goes through the API server's pod proxy
 *       ({@link Kind#SANDBOXES_VIA_API_SERVER}); needs a kubeconfig;</li>
 *   <li>no {@code --sandboxes}, but a kubeconfig: pods from an informer, tokens from a pod annotation, upstream
 *       direct or through the API server ({@link Kind#KUBERNETES}, {@link Kind#KUBERNETES_VIA_API_SERVER});</li>
 *   <li>otherwise the in-process demo ({@link Kind#DEMO}).</li>
 * </ol>
 *
 * <p>A kubeconfig is {@code --kubeconfig FILE}, else the first existing file named in {@code KUBECONFIG}, else the
 * in-cluster service account ({@code KUBERNETES_SERVICE_HOST} set and a token file present). Unlike the official
 * client, {@code ~/.kube/config} is never read: a developer machine with {@code kubectl} set up must still get
 * the demo from a bare {@code java -jar}, and reaching a cluster should be asked for.
 *
 * @param kind       the set-up
 * @param kubernetes the Kubernetes settings, or {@code null} when the kind does not talk to Kubernetes
 * @param kubeconfig where the credentials come from, or {@code null} when the kind does not talk to Kubernetes
 */
public record GatewayMode(Kind kind, KubernetesSettings kubernetes, Kubeconfig kubeconfig) {

    /** The set-ups, each with the words the banner uses for it. */
    public enum Kind {
        DEMO("demo (in-process demo sandbox)"),
        SANDBOXES("sandboxes file, direct to each sandbox's host"),
        SANDBOXES_VIA_API_SERVER("sandboxes file, upstream through the Kubernetes API server"),
        KUBERNETES("Kubernetes pods and annotation tokens, direct to pod IPs"),
        KUBERNETES_VIA_API_SERVER("Kubernetes pods and annotation tokens, upstream through the Kubernetes API server");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        public boolean usesKubernetes() {
            return this != DEMO && this != SANDBOXES;
        }

        public boolean viaApiServer() {
            return this == SANDBOXES_VIA_API_SERVER || this == KUBERNETES_VIA_API_SERVER;
        }
    }

    /** Where the Kubernetes API server and the credentials for it come from. */
    public sealed interface Kubeconfig permits KubeconfigFile, InCluster {

        /** Reads the credentials. @throws IllegalStateException with the library's one-line reason */
        KubernetesAccess load(Duration tokenRefreshPeriod);

        /** For the banner and error messages. */
        String describe();
    }

    /** A kubeconfig file, and how it was named ({@code --kubeconfig} or {@code KUBECONFIG}). */
    public record KubeconfigFile(Path file, String origin) implements Kubeconfig {
        @Override
        public KubernetesAccess load(Duration tokenRefreshPeriod) {
            return KubernetesAccess.fromKubeconfig(file, tokenRefreshPeriod);
        }

        @Override
        public String describe() {
            return "kubeconfig " + file + " (" + origin + ")";
        }
    }

    /** The pod's service account: {@code token} and {@code ca.crt} in the directory, the API server from env. */
    public record InCluster(Path serviceAccountDir, Map<String, String> env) implements Kubeconfig {
        public InCluster {
            env = Map.copyOf(env);
        }

        @Override
        public KubernetesAccess load(Duration tokenRefreshPeriod) {
            return KubernetesAccess.inCluster(serviceAccountDir, env);
        }

        @Override
        public String describe() {
            return "in-cluster service account (" + serviceAccountDir + ")";
        }
    }

    static final String ENV_KUBECONFIG = "KUBECONFIG";
    static final String ENV_SERVICE_HOST = "KUBERNETES_SERVICE_HOST";

    private static final String HOW = "give --kubeconfig FILE, set KUBECONFIG, or run in a pod with a service account"
            + " (~/.kube/config is not read)";

    public GatewayMode {
        Objects.requireNonNull(kind, "kind");
        if (kind.usesKubernetes() != (kubernetes != null) || kind.usesKubernetes() != (kubeconfig != null)) {
            throw new IllegalArgumentException(kind + " needs Kubernetes settings and a kubeconfig exactly when it"
                    + " talks to Kubernetes");
        }
    }

    /** {@link #select(GatewayOptions, Map, Path)} with the real service-account directory. */
    public static GatewayMode select(GatewayOptions options, Map<String, String> env) throws GatewayStartException {
        return select(options, env, KubernetesAccess.SERVICE_ACCOUNT_DIR);
    }

    /**
     * Decides the set-up; reads the environment and checks for files, but starts and connects nothing.
     *
     * @param env               the process environment ({@code System.getenv()} in production)
     * @param serviceAccountDir where an in-cluster pod has its service-account token, a parameter for tests
     * @throws GatewayStartException with a one-line reason: API-server mode without a kubeconfig, a Kubernetes
     *                               flag that would have no effect, a {@code DEV_USE_K8S_PROXY} that is not a
     *                               boolean
     */
    public static GatewayMode select(GatewayOptions options, Map<String, String> env, Path serviceAccountDir)
            throws GatewayStartException {
        Map<String, String> environment = env == null ? Map.of() : env;
        KubernetesOptions flags = options.kubernetes();
        boolean viaApiServer;
        String proxySwitch;
        if (flags.k8sProxy()) {
            viaApiServer = true;
            proxySwitch = "--k8s-proxy";
        } else {
            try {
                viaApiServer = KubernetesSettings.useApiServerProxy(environment);
            } catch (IllegalArgumentException e) {
                // A typo must not silently pick the other data path.
                throw new GatewayStartException(e.getMessage());
            }
            proxySwitch = KubernetesSettings.ENV_USE_K8S_PROXY + "=" + environment.get(
                    KubernetesSettings.ENV_USE_K8S_PROXY);
        }
        Kubeconfig kubeconfig = findKubeconfig(flags, environment, serviceAccountDir);
        String unused = flags.kubernetesOnlyFlags();

        if (options.sandboxesFile() != null) {
            if (!viaApiServer) {
                if (!unused.isEmpty()) {
                    throw new GatewayStartException(unused + ": no effect with --sandboxes unless --k8s-proxy (or "
                            + KubernetesSettings.ENV_USE_K8S_PROXY + "=true) sends the upstream through the API server");
                }
                return new GatewayMode(Kind.SANDBOXES, null, null);
            }
            if (kubeconfig == null) {
                throw new GatewayStartException(proxySwitch + " with --sandboxes needs a kubeconfig: " + HOW
                        + kubeconfigNote(environment));
            }
            return new GatewayMode(Kind.SANDBOXES_VIA_API_SERVER, settings(flags, true, kubeconfig), kubeconfig);
        }
        if (kubeconfig == null) {
            if (viaApiServer) {
                throw new GatewayStartException(proxySwitch + " needs a kubeconfig: " + HOW
                        + kubeconfigNote(environment));
            }
            if (!unused.isEmpty()) {
                // Otherwise "--namespace x" on a machine without credentials would quietly serve the demo.
                throw new GatewayStartException(unused + " needs a kubeconfig: " + HOW + kubeconfigNote(environment));
            }
            return new GatewayMode(Kind.DEMO, null, null);
        }
        return new GatewayMode(viaApiServer ? Kind.KUBERNETES_VIA_API_SERVER : Kind.KUBERNETES,
                settings(flags, viaApiServer, kubeconfig), kubeconfig);
    }

    private static Kubeconfig findKubeconfig(KubernetesOptions flags, Map<String, String> env, Path serviceAccountDir) {
        if (flags.kubeconfig() != null) {
            // Taken even when the file is missing: it was asked for, so loading it reports the problem.
            return new KubeconfigFile(flags.kubeconfig(), "--kubeconfig");
        }
        Path fromEnv = firstExisting(env.get(ENV_KUBECONFIG));
        if (fromEnv != null) {
            return new KubeconfigFile(fromEnv, ENV_KUBECONFIG);
        }
        String host = env.get(ENV_SERVICE_HOST);
        if (host != null && !host.isBlank() && serviceAccountDir != null
                && Files.isRegularFile(serviceAccountDir.resolve("token"))) {
            return new InCluster(serviceAccountDir, env);
        }
        return null;
    }

    /** The first existing file of a {@code KUBECONFIG} list, as the official client and kubectl take it. */
    private static Path firstExisting(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        for (String candidate : list.split(File.pathSeparator)) {
            if (candidate.isBlank()) {
                continue;
            }
            try {
                Path file = Path.of(candidate.trim());
                if (Files.isRegularFile(file)) {
                    return file;
                }
            } catch (InvalidPathException e) {
                // Not a path on this system: skipped like a missing file.
            }
        }
        return null;
    }

    /** Says why a set KUBECONFIG did not count, which is otherwise puzzling. */
    private static String kubeconfigNote(Map<String, String> env) {
        String list = env.get(ENV_KUBECONFIG);
        return list == null || list.isBlank() ? "" : "; KUBECONFIG names no existing file: " + list;
    }

    private static KubernetesSettings settings(KubernetesOptions flags, boolean viaApiServer, Kubeconfig kubeconfig) {
        KubernetesSettings.Builder b = KubernetesSettings.builder().useApiServerProxy(viaApiServer);
        if (flags.namespace() != null) {
            b.namespace(flags.namespace());
        }
        if (flags.podNamePrefix() != null) {
            b.podNamePrefix(flags.podNamePrefix());
        }
        if (kubeconfig instanceof KubeconfigFile file) {
            b.kubeconfig(file.file());
        }
        return b.build();
    }
}
