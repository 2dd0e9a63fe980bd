package io.liteboxd.example.webxml;

import io.liteboxd.proxy.auth.TokenAuthenticator;

/** Named by the {@code tokenAuthenticator} init-param; created by the container with this no-arg constructor. */
public final class ExampleTokenAuthenticator implements TokenAuthenticator {

    @Override
    public boolean authenticate(String sandboxId, String token) {
        return ExampleSandboxes.get().authenticator().authenticate(sandboxId, token);
    }
}
