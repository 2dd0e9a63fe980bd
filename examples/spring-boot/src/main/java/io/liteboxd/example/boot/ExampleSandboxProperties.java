package io.liteboxd.example.boot;

import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The example's sandboxes, bound from {@code example.sandboxes[n].id/host/token/ports}.
 *
 * @param sandboxes the sandboxes this gateway serves; none by default
 */
@ConfigurationProperties("example")
public record ExampleSandboxProperties(List<Entry> sandboxes) {

    /**
     * @param id    sandbox id
     * @param host  address to dial (the pod IP)
     * @param token access token for this sandbox
     * @param ports allowed ports; empty allows every port
     */
    public record Entry(String id, String host, String token, Set<Integer> ports) {
    }

    StaticSandboxes toStaticSandboxes() {
        List<Entry> list = sandboxes == null ? List.of() : sandboxes;
        return new StaticSandboxes(list.stream()
                .map(e -> new StaticSandboxes.Entry(
                        new Sandbox(e.id(), e.host(), true, e.ports()), e.token()))
                .toList());
    }
}
