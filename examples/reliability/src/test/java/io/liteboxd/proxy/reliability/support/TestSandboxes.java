package io.liteboxd.proxy.reliability.support;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.util.List;
import java.util.Set;

/**
 * The sandboxes every suite uses, all on 127.0.0.1 (the upstream fixtures' address). Tokens are long and
 * distinctive on purpose: the credential-hygiene test greps logs and upstream bytes for them, so they must not
 * occur by accident.
 */
public final class TestSandboxes {

    public static final String ID = "sbx-main";
    public static final String TOKEN = "tok-MAIN-7f3a9c1e5b2d4a6f8e0c";
    public static final String OTHER_ID = "sbx-other";
    public static final String OTHER_TOKEN = "tok-OTHER-1b2c3d4e5f6a7b8c9d0e";
    /** Allows only {@link #lockedPort}. */
    public static final String LOCKED_ID = "sbx-locked";
    public static final String LOCKED_TOKEN = "tok-LOCKED-9e8d7c6b5a4f3e2d1c0b";
    /** Known and authenticated, but not ready. */
    public static final String SLEEPY_ID = "sbx-sleepy";
    public static final String SLEEPY_TOKEN = "tok-SLEEPY-0a1b2c3d4e5f6a7b8c9d";

    public static final List<String> ALL_TOKENS = List.of(TOKEN, OTHER_TOKEN, LOCKED_TOKEN, SLEEPY_TOKEN);

    private final StaticSandboxes sandboxes;

    private TestSandboxes(int lockedPort) {
        this.sandboxes = new StaticSandboxes(List.of(
                new StaticSandboxes.Entry(Sandbox.ready(ID, "127.0.0.1"), TOKEN),
                new StaticSandboxes.Entry(Sandbox.ready(OTHER_ID, "127.0.0.1"), OTHER_TOKEN),
                new StaticSandboxes.Entry(new Sandbox(LOCKED_ID, "127.0.0.1", true,
                        Set.of(lockedPort)), LOCKED_TOKEN),
                new StaticSandboxes.Entry(new Sandbox(SLEEPY_ID, "127.0.0.1", false,
                        Set.of()), SLEEPY_TOKEN)));
    }

    /** @param lockedPort the only port {@link #LOCKED_ID} allows */
    public static TestSandboxes create(int lockedPort) {
        return new TestSandboxes(lockedPort);
    }

    public TokenAuthenticator authenticator() {
        return sandboxes.authenticator();
    }

    public SandboxResolver resolver() {
        return sandboxes.resolver();
    }

    /** {@code /api/v1/sandbox/{id}/port/{port}{rest}} */
    public static String path(String id, int port, String rest) {
        return "/api/v1/sandbox/" + id + "/port/" + port + rest;
    }

    public static String path(int port, String rest) {
        return path(ID, port, rest);
    }
}
