package io.liteboxd.proxy.internal.kubernetes;

import io.liteboxd.proxy.SpiBundle;
import io.liteboxd.proxy.SpiProvider;
import io.liteboxd.proxy.kubernetes.KubernetesGateway;
import java.util.Map;
import java.util.function.Function;

/**
 * Registers {@link KubernetesGateway#fromSettings} as the {@value #NAME} {@link SpiProvider}. Refers to the
 * Kubernetes client only inside {@link #create}, so finding it on a class path without {@code client-java} is
 * harmless.
 */
public final class KubernetesSpiProvider implements SpiProvider {

    /** The provider's name. */
    public static final String NAME = "kubernetes";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SpiBundle create(Function<String, String> settings, Map<String, String> env) {
        return KubernetesGateway.fromSettings(settings, env);
    }
}
