package io.liteboxd.proxy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesAccessTest {

    @TempDir
    Path dir;

    @Test
    void staticTokenOfTheCurrentContextsUser() throws Exception {
        Path kc = KubeconfigFiles.write(dir, "https://k.example:6443/", "    token: abc\n");
        KubernetesAccess access = KubernetesAccess.fromKubeconfig(kc, Duration.ofMinutes(1));
        assertThat(access.server()).isEqualTo(URI.create("https://k.example:6443"));
        assertThat(access.authorization()).contains("Bearer abc");
        assertThat(access.verifiesTls()).isFalse();
    }

    @Test
    void basicAuthWhenOnlyUserAndPasswordAreGiven() throws Exception {
        Path kc = KubeconfigFiles.write(dir, "https://k:6443", "    username: admin\n    password: pw\n");
        assertThat(KubernetesAccess.fromKubeconfig(kc, Duration.ofMinutes(1)).authorization())
                .contains("Basic YWRtaW46cHc=");
    }

    @Test
    void execPluginIsAskedAgainAfterTheRefreshPeriod() throws Exception {
        Path tokenSource = dir.resolve("current-token");
        Files.writeString(tokenSource, "exec-1");
        Path plugin = dir.resolve("plugin.sh");
        Files.writeString(plugin, "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                + "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$(cat '" + tokenSource + "')\"\n");
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        Path kc = KubeconfigFiles.write(dir, "https://k:6443", "    exec:\n"
                + "      apiVersion: client.authentication.k8s.io/v1\n      command: " + plugin + "\n");

        KubernetesAccess everyTime = KubernetesAccess.fromKubeconfig(kc, Duration.ZERO);
        KubernetesAccess hourly = KubernetesAccess.fromKubeconfig(kc, Duration.ofHours(1));
        assertThat(everyTime.authorization()).contains("Bearer exec-1");
        assertThat(hourly.authorization()).contains("Bearer exec-1");
        Files.writeString(tokenSource, "exec-2");
        assertThat(everyTime.authorization()).contains("Bearer exec-2");
        assertThat(hourly.authorization()).contains("Bearer exec-1");
    }

    @Test
    void tokenFileMissingAtStartIsAnErrorNamingTheFile() throws Exception {
        Path kc = KubeconfigFiles.write(dir, "https://k:6443", "    tokenFile: /nonexistent/token\n");
        assertThatThrownBy(() -> KubernetesAccess.fromKubeconfig(kc, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("/nonexistent/token");
    }

    @Test
    void tokenFileThatDisappearsKeepsThePreviousToken() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "kept");
        Path kc = KubeconfigFiles.write(dir, "https://k:6443", "    tokenFile: " + token + "\n");
        KubernetesAccess access = KubernetesAccess.fromKubeconfig(kc, Duration.ZERO);
        Files.delete(token);
        assertThat(access.authorization()).contains("Bearer kept");
    }

    @Test
    void clientCertificateWithoutKeyIsRefused() throws Exception {
        Path kc = KubeconfigFiles.write(dir, "https://k:6443", "    client-certificate-data: "
                + java.util.Base64.getEncoder().encodeToString("x".getBytes()) + "\n");
        assertThatThrownBy(() -> KubernetesAccess.fromKubeconfig(kc, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("together");
    }

    @Test
    void missingOrServerlessKubeconfigFailsClearly() throws Exception {
        assertThatThrownBy(() -> KubernetesAccess.fromKubeconfig(dir.resolve("nope"), Duration.ofMinutes(1)))
                .hasMessageContaining("no such file");
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "apiVersion: v1\nkind: Config\n");
        assertThatThrownBy(() -> KubernetesAccess.fromKubeconfig(empty, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("server");
    }

    @Test
    void loadOrderExplicitThenKubeconfigEnvThenHome() throws Exception {
        Path explicit = KubeconfigFiles.write(dir, "https://explicit:6443", "    token: e\n");
        Path fromEnv = KubeconfigFiles.write(dir, "https://env:6443", "    token: v\n");
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".kube"));
        Files.copy(KubeconfigFiles.write(dir, "https://home:6443", "    token: h\n"), home.resolve(".kube/config"));

        KubernetesSettings withFile = KubernetesSettings.builder().kubeconfig(explicit).build();
        Map<String, String> env = Map.of("KUBECONFIG", dir.resolve("missing") + File.pathSeparator + fromEnv,
                "HOME", home.toString());
        assertThat(KubernetesAccess.load(withFile, env).server().getHost()).isEqualTo("explicit");
        assertThat(KubernetesAccess.load(KubernetesSettings.defaults(), env).server().getHost()).isEqualTo("env");
        assertThat(KubernetesAccess.load(KubernetesSettings.defaults(), Map.of("HOME", home.toString()))
                .server().getHost()).isEqualTo("home");
    }

    @Test
    void inClusterNeedsTheServiceEnvironment() {
        assertThatThrownBy(() -> KubernetesAccess.inCluster(dir, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KUBERNETES_SERVICE_HOST");
    }
}
