package io.liteboxd.proxy.kubernetes.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Writes kubeconfig files for a stand-in API server, one per authentication style a real cluster offers. Each
 * file has one cluster, one user and one current context, as {@code kubectl config view --minify} would show.
 */
public final class Kubeconfigs {

    private Kubeconfigs() {
    }

    /** Static bearer token ({@code users[].user.token}). */
    public static Path bearerToken(Path dir, URI server, String caPem, String token) {
        return write(dir.resolve("kubeconfig-token.yaml"), cluster(server, caPem), "    token: " + quote(token) + "\n");
    }

    /** Token read from a file ({@code users[].user.tokenFile}), relative to the kubeconfig's folder when relative. */
    public static Path tokenFile(Path dir, URI server, String caPem, String tokenFile) {
        return write(dir.resolve("kubeconfig-tokenfile.yaml"), cluster(server, caPem),
                "    tokenFile: " + quote(tokenFile) + "\n");
    }

    /**
     * Client certificate: the certificate as a file next to the kubeconfig (a relative reference, as kubeadm writes
     * them) and the key inline, so that both ways of giving them are exercised.
     */
    public static Path clientCertificate(Path dir, URI server, String caPem, TestPki.Identity client) {
        try {
            Files.writeString(dir.resolve("client.crt"), client.certificatePem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(dir.resolve("kubeconfig-cert.yaml"), cluster(server, caPem),
                "    client-certificate: client.crt\n"
                        + "    client-key-data: " + b64(client.privateKeyPem()) + "\n");
    }

    /** Exec credential plugin: {@code command} with {@code args} prints an ExecCredential. */
    public static Path exec(Path dir, URI server, String caPem, String command, String... args) {
        StringBuilder user = new StringBuilder("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      interactiveMode: Never\n      command: " + quote(command) + "\n      args:\n");
        for (String a : args) {
            user.append("      - ").append(quote(a)).append('\n');
        }
        return write(dir.resolve("kubeconfig-exec.yaml"), cluster(server, caPem), user.toString());
    }

    /** {@code insecure-skip-tls-verify: true} with a bearer token and no CA. */
    public static Path insecure(Path dir, URI server, String token) {
        String cluster = "    server: " + server + "\n    insecure-skip-tls-verify: true\n";
        return write(dir.resolve("kubeconfig-insecure.yaml"), cluster, "    token: " + quote(token) + "\n");
    }

    private static String cluster(URI server, String caPem) {
        return "    server: " + server + "\n    certificate-authority-data: " + b64(caPem) + "\n";
    }

    private static Path write(Path file, String cluster, String user) {
        String yaml = "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: standin\n  cluster:\n" + cluster
                + "users:\n- name: gateway\n  user:\n" + user
                + "contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: gateway\n"
                + "current-context: standin\n";
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
