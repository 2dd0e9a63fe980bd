package io.liteboxd.proxy.kubernetes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Minimal kubeconfig files for tests that need no live API server (TLS is never exercised here). */
final class KubeconfigFiles {

    private KubeconfigFiles() {
    }

    static Path write(Path dir, String server, String userYaml) throws IOException {
        Path file = dir.resolve("kubeconfig-" + System.nanoTime() + ".yaml");
        Files.writeString(file, "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: c\n  cluster:\n    server: " + server + "\n    insecure-skip-tls-verify: true\n"
                + "users:\n- name: other\n  user:\n    token: not-this-one\n"
                + "- name: u\n  user:\n" + userYaml
                + "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
                + "current-context: ctx\n");
        return file;
    }
}
