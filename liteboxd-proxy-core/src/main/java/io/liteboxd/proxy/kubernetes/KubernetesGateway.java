package io.liteboxd.proxy.kubernetes;

import io.liteboxd.proxy.SpiBundle;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Kubernetes-backed SPIs built together: the pod informer resolver, pod-annotation tokens, and the direct or
 * API-server connector as {@code DEV_USE_K8S_PROXY} (or the {@code k8sProxy} setting) says. In API-server mode the
 * connector asks the informer for each sandbox's pod, so pods found by label work as well as pods named
 * {@code {podNamePrefix}{id}}. {@code ProxyServlet} builds it for the init-param {@code kubernetes=true}; the
 * standalone gateway builds it from its command line.
 */
public final class KubernetesGateway implements AutoCloseable {

    private final KubernetesSandboxResolver resolver;
    private final TokenAuthenticator authenticator;
    private final UpstreamConnector connector;

    private KubernetesGateway(KubernetesSandboxResolver resolver, TokenAuthenticator authenticator,
                              UpstreamConnector connector) {
        this.resolver = resolver;
        this.authenticator = authenticator;
        this.connector = connector;
    }

    /**
     * Starts the pod informer (returns at once; see {@link KubernetesSandboxResolver#awaitSynced}) and builds the
     * other SPIs on it.
     */
    public static KubernetesGateway start(KubernetesAccess access, KubernetesSettings settings) {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(settings, "settings");
        KubernetesSandboxResolver resolver = KubernetesSandboxResolver.start(access, settings);
        try {
            TokenAuthenticator tokens = new PodAnnotationTokenAuthenticator(resolver, settings.tokenAnnotation());
            UpstreamConnector connector = settings.useApiServerProxy()
                    ? new ApiServerProxyConnector(access, settings.namespace(), resolver::podName)
                    : new DirectPodConnector();
            return new KubernetesGateway(resolver, tokens, connector);
        } catch (RuntimeException e) {
            resolver.close();
            throw e;
        }
    }

    /**
     * Reads the settings and credentials, then {@link #start}s.
     *
     * @param initParams settings by name ({@link KubernetesSettings#from}), e.g. {@code ServletConfig::getInitParameter}
     * @param env        the environment ({@code KUBECONFIG}, {@code DEV_USE_K8S_PROXY}, in-cluster variables)
     * @return the SPIs; closing its resources stops the informer
     */
    public static SpiBundle fromSettings(Function<String, String> initParams, Map<String, String> env) {
        KubernetesSettings settings = KubernetesSettings.from(initParams, env);
        return start(KubernetesAccess.load(settings, env), settings).spis();
    }

    /** The pod informer resolver: {@link KubernetesSandboxResolver#hasSynced()}, {@code awaitSynced}. */
    public KubernetesSandboxResolver resolver() {
        return resolver;
    }

    /** Tokens from the pod annotation. */
    public TokenAuthenticator authenticator() {
        return authenticator;
    }

    /** {@link DirectPodConnector}, or {@link ApiServerProxyConnector} in API-server mode. */
    public UpstreamConnector connector() {
        return connector;
    }

    /** The three SPIs, with this as the resource to close. */
    public SpiBundle spis() {
        return new SpiBundle(authenticator, resolver, connector, this);
    }

    /** Stops the informer. */
    @Override
    public void close() {
        resolver.close();
    }
}
