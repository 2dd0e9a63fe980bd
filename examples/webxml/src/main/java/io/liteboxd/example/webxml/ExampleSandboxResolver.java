package io.liteboxd.example.webxml;

import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import java.util.Optional;

/** Named by the {@code sandboxResolver} init-param; created by the container with this no-arg constructor. */
public final class ExampleSandboxResolver implements SandboxResolver {

    @Override
    public Optional<Sandbox> resolve(String sandboxId) {
        return ExampleSandboxes.get().resolver().resolve(sandboxId);
    }
}
