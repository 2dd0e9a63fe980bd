package io.liteboxd.gateway;

import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import java.nio.file.Path;

/**
 * The Kubernetes flags of the command line, before the environment is consulted ({@link GatewayMode#select} does
 * that). A {@code null} value means the flag was not given, which is not always the same as its default: an
 * explicit {@code --pod-name-prefix} also renames the static sandboxes that name no pod of their own.
 *
 * @param k8sProxy      {@code --k8s-proxy}: send upstream traffic through the API server's pod proxy
 * @param kubeconfig    {@code --kubeconfig FILE}, or {@code null}
 * @param namespace     {@code --namespace NAME}, or {@code null} for {@value KubernetesSettings#DEFAULT_NAMESPACE}
 * @param podNamePrefix {@code --pod-name-prefix P}, or {@code null} for
 *                      {@value KubernetesSettings#DEFAULT_POD_NAME_PREFIX}
 */
public record KubernetesOptions(boolean k8sProxy, Path kubeconfig, String namespace, String podNamePrefix) {

    /** No Kubernetes flag given. */
    public static final KubernetesOptions NONE = new KubernetesOptions(false, null, null, null);

    public KubernetesOptions {
        // The same checks the library applies later, so that a KubernetesOptions can always become settings.
        KubernetesSettings.Builder check = KubernetesSettings.builder();
        if (namespace != null) {
            check.namespace(namespace);
        }
        if (podNamePrefix != null) {
            check.podNamePrefix(podNamePrefix);
        }
    }

    /** The flags that only mean something when the gateway talks to Kubernetes, as typed, for error messages. */
    String kubernetesOnlyFlags() {
        StringBuilder flags = new StringBuilder();
        if (kubeconfig != null) {
            flags.append("--kubeconfig");
        }
        if (namespace != null) {
            flags.append(flags.isEmpty() ? "" : ", ").append("--namespace");
        }
        if (podNamePrefix != null) {
            flags.append(flags.isEmpty() ? "" : ", ").append("--pod-name-prefix");
        }
        return flags.toString();
    }
}
