package io.liteboxd.proxy.kubernetes;

import io.kubernetes.client.openapi.models.V1Pod;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the access token against the sandbox pod's annotation {@code liteboxd.io/access-token} (what LiteBoxd
 * writes when it creates the pod), read from the {@link KubernetesSandboxResolver}'s informer cache: no API call
 * per request.
 *
 * <p>The pod consulted is the one the resolver would route to. A missing pod or annotation fails like a wrong token
 * (401), so sandbox ids cannot be probed. Before the informer's first list the resolver's 503 is passed on.
 */
public final class PodAnnotationTokenAuthenticator implements TokenAuthenticator {

    private final KubernetesSandboxResolver pods;
    private final String annotation;

    /** Uses the annotation {@link KubernetesSettings#DEFAULT_TOKEN_ANNOTATION}. */
    public PodAnnotationTokenAuthenticator(KubernetesSandboxResolver pods) {
        this(pods, KubernetesSettings.DEFAULT_TOKEN_ANNOTATION);
    }

    public PodAnnotationTokenAuthenticator(KubernetesSandboxResolver pods, String annotation) {
        this.pods = Objects.requireNonNull(pods, "pods");
        this.annotation = Objects.requireNonNull(annotation, "annotation");
    }

    @Override
    public boolean authenticate(String sandboxId, String token) {
        Optional<V1Pod> pod = pods.pod(sandboxId);
        String expected = pod.map(V1Pod::getMetadata)
                .map(m -> m.getAnnotations() == null ? Map.<String, String>of() : m.getAnnotations())
                .map(a -> a.get(annotation))
                .orElse(null);
        // An empty annotation must not let an empty token in (the gateway rejects empty tokens anyway).
        return expected != null && !expected.isEmpty() && AccessTokens.secretEquals(expected, token);
    }
}
