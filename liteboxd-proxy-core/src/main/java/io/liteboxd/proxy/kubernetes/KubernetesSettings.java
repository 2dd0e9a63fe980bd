package io.liteboxd.proxy.kubernetes;

import io.liteboxd.proxy.internal.config.SettingSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Immutable settings of the Kubernetes integration: where sandbox pods live, how they are found, where the
 * credentials come from, and whether upstream traffic goes through the API server.
 *
 * <table>
 *   <caption>Settings, their sources and defaults</caption>
 *   <tr><th>setting</th><th>init-param</th><th>environment</th><th>default</th></tr>
 *   <tr><td>API-server proxy mode</td><td>k8sProxy</td><td>DEV_USE_K8S_PROXY</td><td>false (dial pod IPs)</td></tr>
 *   <tr><td>kubeconfig file</td><td>kubeconfig</td><td>LITEBOXD_KUBECONFIG, then KUBECONFIG</td>
 *       <td>~/.kube/config, then in-cluster service account</td></tr>
 *   <tr><td>namespace</td><td>namespace</td><td>LITEBOXD_NAMESPACE</td><td>liteboxd</td></tr>
 *   <tr><td>pod name prefix</td><td>podNamePrefix</td><td>LITEBOXD_POD_NAME_PREFIX</td><td>sandbox-</td></tr>
 *   <tr><td>pod label selector</td><td>labelSelector</td><td>LITEBOXD_LABEL_SELECTOR</td><td>app=liteboxd</td></tr>
 *   <tr><td>sandbox-id label</td><td>sandboxIdLabel</td><td>LITEBOXD_SANDBOX_ID_LABEL</td><td>sandbox-id</td></tr>
 *   <tr><td>token annotation</td><td>tokenAnnotation</td><td>LITEBOXD_TOKEN_ANNOTATION</td>
 *       <td>liteboxd.io/access-token</td></tr>
 *   <tr><td>exec/OIDC token refresh</td><td>tokenRefreshPeriod</td><td>LITEBOXD_TOKEN_REFRESH_PERIOD</td><td>1m</td></tr>
 * </table>
 *
 * <p>An init-param wins over the environment, which wins over the default, as in
 * {@link io.liteboxd.proxy.config.ProxyConfig}. {@code KUBECONFIG} itself is read by
 * {@link KubernetesAccess#load(KubernetesSettings, Map)}, not here, so that the lookup order is the official
 * client's.
 */
public final class KubernetesSettings {

    /** The environment variable the seed design names for API-server proxy mode. */
    public static final String ENV_USE_K8S_PROXY = "DEV_USE_K8S_PROXY";
    public static final String DEFAULT_NAMESPACE = "liteboxd";
    public static final String DEFAULT_POD_NAME_PREFIX = "sandbox-";
    public static final String DEFAULT_LABEL_SELECTOR = "app=liteboxd";
    public static final String DEFAULT_SANDBOX_ID_LABEL = "sandbox-id";
    /** The pod annotation LiteBoxd writes the sandbox's access token into. */
    public static final String DEFAULT_TOKEN_ANNOTATION = "liteboxd.io/access-token";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    // A pod name is prefix + sandbox id, so the prefix must keep that a DNS-1123 subdomain.
    private static final Pattern POD_NAME_PREFIX = Pattern.compile("[a-z0-9]([-.a-z0-9]*)?");

    private final boolean useApiServerProxy;
    private final Path kubeconfig;
    private final String namespace;
    private final String podNamePrefix;
    private final String labelSelector;
    private final String sandboxIdLabel;
    private final String tokenAnnotation;
    private final Duration tokenRefreshPeriod;

    private KubernetesSettings(Builder b) {
        this.useApiServerProxy = b.useApiServerProxy;
        this.kubeconfig = b.kubeconfig;
        this.namespace = b.namespace;
        this.podNamePrefix = b.podNamePrefix;
        this.labelSelector = b.labelSelector;
        this.sandboxIdLabel = b.sandboxIdLabel;
        this.tokenAnnotation = b.tokenAnnotation;
        this.tokenRefreshPeriod = b.tokenRefreshPeriod;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static KubernetesSettings defaults() {
        return builder().build();
    }

    /**
     * Reads {@value #ENV_USE_K8S_PROXY} the way the seed design uses it: {@code true}, {@code 1}, {@code yes} or
     * {@code on} (any case) switch API-server proxy mode on; unset, empty, {@code false}, {@code 0}, {@code no}
     * and {@code off} leave it off.
     *
     * @throws IllegalArgumentException for any other value, so a typo does not silently pick the other mode
     */
    public static boolean useApiServerProxy(Map<String, String> env) {
        return new SettingSource(null, env).environment(ENV_USE_K8S_PROXY)
                .map(v -> SettingSource.parseSwitch(ENV_USE_K8S_PROXY, v)).orElse(false);
    }

    /**
     * Every setting from {@code initParams} (e.g. {@code ServletConfig::getInitParameter}) then {@code env}, then
     * the defaults. Malformed values fail with a message naming the setting.
     */
    public static KubernetesSettings from(Function<String, String> initParams, Map<String, String> env) {
        // k8sProxy has no LITEBOXD_ variable: the seed's DEV_USE_K8S_PROXY is its environment form.
        SettingSource params = new SettingSource(initParams, null);
        SettingSource settings = new SettingSource(initParams, env);
        Builder b = builder();
        b.useApiServerProxy(params.bool("k8sProxy").orElseGet(() -> useApiServerProxy(env)));
        settings.text("kubeconfig").map(Path::of).ifPresent(b::kubeconfig);
        settings.text("namespace").ifPresent(b::namespace);
        settings.text("podNamePrefix").ifPresent(b::podNamePrefix);
        settings.text("labelSelector").ifPresent(b::labelSelector);
        settings.text("sandboxIdLabel").ifPresent(b::sandboxIdLabel);
        settings.text("tokenAnnotation").ifPresent(b::tokenAnnotation);
        settings.duration("tokenRefreshPeriod").ifPresent(b::tokenRefreshPeriod);
        return b.build();
    }

    /** True: dial sandboxes through the API server's pod proxy; false: dial pod IPs directly. */
    public boolean useApiServerProxy() {
        return useApiServerProxy;
    }

    /** An explicit kubeconfig file; empty means the official lookup order ({@code KUBECONFIG}, home, in-cluster). */
    public Optional<Path> kubeconfig() {
        return Optional.ofNullable(kubeconfig);
    }

    /** The namespace the sandbox pods live in. */
    public String namespace() {
        return namespace;
    }

    /** Pod name of sandbox {@code id} is {@code podNamePrefix + id}. */
    public String podNamePrefix() {
        return podNamePrefix;
    }

    /** The conventional pod name of a sandbox. */
    public String podName(String sandboxId) {
        return podNamePrefix + sandboxId;
    }

    /** Label selector of the pod informer; empty string watches every pod in the namespace. */
    public String labelSelector() {
        return labelSelector;
    }

    /** Label whose value is the sandbox id, for pods not named {@code podNamePrefix + id}. */
    public String sandboxIdLabel() {
        return sandboxIdLabel;
    }

    /** Pod annotation holding the sandbox's access token. */
    public String tokenAnnotation() {
        return tokenAnnotation;
    }

    /** How long a token obtained from an exec plugin or an auth provider (OIDC) is reused before asking again. */
    public Duration tokenRefreshPeriod() {
        return tokenRefreshPeriod;
    }

    @Override
    public String toString() {
        return "KubernetesSettings{useApiServerProxy=" + useApiServerProxy + ", kubeconfig=" + kubeconfig
                + ", namespace=" + namespace + ", podNamePrefix=" + podNamePrefix + ", labelSelector="
                + labelSelector + ", sandboxIdLabel=" + sandboxIdLabel + ", tokenAnnotation=" + tokenAnnotation
                + ", tokenRefreshPeriod=" + tokenRefreshPeriod + "}";
    }

    /** Builder with the documented defaults; every setter validates its argument. */
    public static final class Builder {
        private boolean useApiServerProxy;
        private Path kubeconfig;
        private String namespace = DEFAULT_NAMESPACE;
        private String podNamePrefix = DEFAULT_POD_NAME_PREFIX;
        private String labelSelector = DEFAULT_LABEL_SELECTOR;
        private String sandboxIdLabel = DEFAULT_SANDBOX_ID_LABEL;
        private String tokenAnnotation = DEFAULT_TOKEN_ANNOTATION;
        private Duration tokenRefreshPeriod = Duration.ofMinutes(1);

        private Builder() {
        }

        public Builder useApiServerProxy(boolean on) {
            this.useApiServerProxy = on;
            return this;
        }

        /** @param file an explicit kubeconfig, or {@code null} for the official lookup order */
        public Builder kubeconfig(Path file) {
            this.kubeconfig = file;
            return this;
        }

        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            // The namespace becomes a path segment of every API-server URL: only a DNS label may go there.
            if (!DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("namespace must be a DNS label (a-z, 0-9, '-', at most 63): "
                        + namespace);
            }
            this.namespace = namespace;
            return this;
        }

        public Builder podNamePrefix(String prefix) {
            Objects.requireNonNull(prefix, "podNamePrefix");
            if (!prefix.isEmpty() && (!POD_NAME_PREFIX.matcher(prefix).matches() || prefix.length() > 189)) {
                throw new IllegalArgumentException("podNamePrefix may contain only a-z, 0-9, '-' and '.' and must"
                        + " start with a letter or digit: " + prefix);
            }
            this.podNamePrefix = prefix;
            return this;
        }

        public Builder labelSelector(String selector) {
            this.labelSelector = Objects.requireNonNull(selector, "labelSelector").trim();
            return this;
        }

        public Builder sandboxIdLabel(String label) {
            this.sandboxIdLabel = nonBlank("sandboxIdLabel", label);
            return this;
        }

        public Builder tokenAnnotation(String annotation) {
            this.tokenAnnotation = nonBlank("tokenAnnotation", annotation);
            return this;
        }

        public Builder tokenRefreshPeriod(Duration period) {
            Objects.requireNonNull(period, "tokenRefreshPeriod");
            if (period.isNegative()) {
                throw new IllegalArgumentException("tokenRefreshPeriod must not be negative: " + period);
            }
            this.tokenRefreshPeriod = period;
            return this;
        }

        public KubernetesSettings build() {
            return new KubernetesSettings(this);
        }

        private static String nonBlank(String name, String value) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value.trim();
        }
    }
}
