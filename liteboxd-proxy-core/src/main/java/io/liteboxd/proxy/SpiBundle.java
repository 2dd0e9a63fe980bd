package io.liteboxd.proxy;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.resolve.SandboxResolver;
import java.util.Objects;

/**
 * The three SPIs built together by one factory (for example from Kubernetes settings), with what must be closed
 * when the gateway stops (an informer, a file watch).
 *
 * @param authenticator the token check
 * @param resolver      the sandbox lookup
 * @param connector     the upstream addressing
 * @param resources     closed once when the gateway stops
 */
public record SpiBundle(TokenAuthenticator authenticator, SandboxResolver resolver, UpstreamConnector connector,
                        AutoCloseable resources) {

    public SpiBundle {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(resources, "resources");
    }
}
