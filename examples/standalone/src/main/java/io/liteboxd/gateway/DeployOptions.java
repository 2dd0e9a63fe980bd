package io.liteboxd.gateway;

import java.nio.file.Path;

/**
 * What running several replicas under an orchestrator needs: an admin port for probes and metrics, and one signing
 * key shared by every replica.
 *
 * @param adminPort      the port of {@code /healthz}, {@code /readyz} and {@code /metrics} ({@code --admin-port}),
 *                       on the {@code --listen} host; {@link #OFF} for none, 0 picks a free one
 * @param signingKeyFile the file holding the key that signs browser cookies and share links
 *                       ({@code --signing-key-file}); {@code null} for a random cookie key per process and no share
 *                       links
 */
public record DeployOptions(int adminPort, Path signingKeyFile) {

    /** {@link #adminPort()} when there is no admin port, the default. */
    public static final int OFF = -1;

    /** No admin port, no shared key. */
    public static final DeployOptions NONE = new DeployOptions(OFF, null);

    public DeployOptions {
        if (adminPort < OFF || adminPort > 65535) {
            throw new IllegalArgumentException("adminPort must be 0-65535, or OFF: " + adminPort);
        }
    }

    public boolean adminEnabled() {
        return adminPort != OFF;
    }

    public DeployOptions withAdminPort(int port) {
        return new DeployOptions(port, signingKeyFile);
    }

    public DeployOptions withSigningKeyFile(Path file) {
        return new DeployOptions(adminPort, file);
    }
}
