package io.liteboxd.proxy.kubernetes;

import io.liteboxd.proxy.SpiBundle;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the Kubernetes-backed SPIs in one call: the pod informer resolver, pod-annotation tokens, and the direct or
 * API-server connector as {@code DEV_USE_K8S_PROXY} (or the {@code k8sProxy} setting) says. This is what
 * {@code ProxyServlet} uses for the init-param {@code kubernetes=true}.
 */
public final class KubernetesGateway {

    private KubernetesGateway() {
    }

    /**
     * @param initParams settings by name ({@link KubernetesSettings#from}), e.g. {@code ServletConfig::getInitParameter}
     * @param env        the environment ({@code KUBECONFIG}, {@code DEV_USE_K8S_PROXY}, in-cluster variables)
     * @return the SPIs; closing its resources stops the informer
     */
    public static SpiBundle fromSettings(Function<String, String> initParams, Map<String, String> env) {
        KubernetesSettings settings = KubernetesSettings.from(initParams, env);
        KubernetesAccess access = KubernetesAccess.load(settings, env);
        // The connector first: if it cannot be built, no informer has been started that would need stopping.
        UpstreamConnector connector = settings.useApiServerProxy()
                ? new ApiServerProxyConnector(access, settings)
                : new DirectPodConnector();
        KubernetesSandboxResolver resolver = KubernetesSandboxResolver.start(access, settings);
        try {
            TokenAuthenticator tokens = new PodAnnotationTokenAuthenticator(resolver, settings.tokenAnnotation());
            return new SpiBundle(tokens, resolver, connector, resolver);
        } catch (RuntimeException e) {
            resolver.close();
            throw e;
        }
    }
}
