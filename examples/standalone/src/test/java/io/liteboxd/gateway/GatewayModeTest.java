package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which mode a command line and an environment select, or which one-line error they get. Nothing is started:
 * selection only looks at flags, variables and whether files exist.
 */
class GatewayModeTest {

    @TempDir
    static Path dir;

    private static Path kubeconfig;
    private static Path home;
    private static Path serviceAccount;
    private static Path noServiceAccount;

    @BeforeAll
    static void files() throws Exception {
        // Selection never reads a kubeconfig, it only checks that the file exists.
        kubeconfig = Files.writeString(dir.resolve("kubeconfig.yaml"), "apiVersion: v1\n");
        home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\n");
        serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(serviceAccount.resolve("token"), "sa-token");
        noServiceAccount = Files.createDirectories(dir.resolve("no-serviceaccount"));
    }

    private static String expand(String s) {
        return s.replace("$KC", kubeconfig.toString())
                .replace("$MISSING", dir.resolve("missing.yaml").toString())
                .replace("$HOME", home.toString())
                .replace("$SEP", File.pathSeparator)
                .replace("$SB", dir.resolve("sandboxes.json").toString());
    }

    private static GatewayMode select(String commandLine, String environment, String serviceAccountFiles)
            throws Exception {
        List<String> args = new ArrayList<>();
        if (commandLine != null && !commandLine.isBlank()) {
            for (String a : commandLine.trim().split("\\s+")) {
                args.add(expand(a));
            }
        }
        Map<String, String> env = new HashMap<>();
        if (environment != null && !environment.isBlank()) {
            for (String pair : environment.trim().split("\\s+")) {
                if (pair.equals("IN_CLUSTER")) {
                    env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
                    env.put("KUBERNETES_SERVICE_PORT", "443");
                } else {
                    int eq = pair.indexOf('=');
                    env.put(pair.substring(0, eq), expand(pair.substring(eq + 1)));
                }
            }
        }
        GatewayOptions options = ((GatewayArgs.Run) GatewayArgs.parse(args)).options();
        return GatewayMode.select(options, env, "token".equals(serviceAccountFiles) ? serviceAccount : noServiceAccount);
    }

    /**
     * Columns: the command line; the environment ({@code IN_CLUSTER} = the two service variables); whether the
     * service-account token file exists; the expected mode, or {@code !} and the start of the error; where the
     * credentials come from ({@code -} for none).
     */
    @ParameterizedTest(name = "[{index}] {0} | {1} | sa={2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                          | ''                                    | token | DEMO                      | -
            ''                                          | HOME=$HOME                            | token | DEMO                      | -
            ''                                          | KUBECONFIG=$MISSING                   | token | DEMO                      | -
            ''                                          | KUBERNETES_SERVICE_HOST=10.96.0.1     | none  | DEMO                      | -
            ''                                          | DEV_USE_K8S_PROXY=false               | token | DEMO                      | -
            --sandboxes $SB                             | ''                                    | token | SANDBOXES                 | -
            --sandboxes $SB                             | KUBECONFIG=$KC                        | token | SANDBOXES                 | -
            --sandboxes $SB                             | IN_CLUSTER                            | token | SANDBOXES                 | -
            --sandboxes $SB --k8s-proxy --kubeconfig $KC | ''                                   | none  | SANDBOXES_VIA_API_SERVER  | --kubeconfig $KC
            --sandboxes $SB --k8s-proxy                 | KUBECONFIG=$KC                        | none  | SANDBOXES_VIA_API_SERVER  | KUBECONFIG $KC
            --sandboxes $SB                             | DEV_USE_K8S_PROXY=true KUBECONFIG=$KC | none  | SANDBOXES_VIA_API_SERVER  | KUBECONFIG $KC
            --sandboxes $SB --k8s-proxy                 | IN_CLUSTER                            | token | SANDBOXES_VIA_API_SERVER  | in-cluster
            --sandboxes $SB --k8s-proxy --namespace n1  | KUBECONFIG=$KC                        | none  | SANDBOXES_VIA_API_SERVER  | KUBECONFIG $KC
            --kubeconfig $KC                            | ''                                    | none  | KUBERNETES                | --kubeconfig $KC
            --kubeconfig $MISSING                       | ''                                    | none  | KUBERNETES                | --kubeconfig $MISSING
            --kubeconfig $KC                            | KUBECONFIG=$MISSING IN_CLUSTER        | token | KUBERNETES                | --kubeconfig $KC
            ''                                          | KUBECONFIG=$KC                        | none  | KUBERNETES                | KUBECONFIG $KC
            ''                                          | KUBECONFIG=$MISSING$SEP$KC            | none  | KUBERNETES                | KUBECONFIG $KC
            ''                                          | KUBECONFIG=$KC IN_CLUSTER             | token | KUBERNETES                | KUBECONFIG $KC
            ''                                          | IN_CLUSTER                            | token | KUBERNETES                | in-cluster
            ''                                          | IN_CLUSTER DEV_USE_K8S_PROXY=off      | token | KUBERNETES                | in-cluster
            --kubeconfig $KC --k8s-proxy                | ''                                    | none  | KUBERNETES_VIA_API_SERVER | --kubeconfig $KC
            --kubeconfig $KC --k8s-proxy                | DEV_USE_K8S_PROXY=false               | none  | KUBERNETES_VIA_API_SERVER | --kubeconfig $KC
            ''                                          | DEV_USE_K8S_PROXY=TRUE KUBECONFIG=$KC | none  | KUBERNETES_VIA_API_SERVER | KUBECONFIG $KC
            ''                                          | DEV_USE_K8S_PROXY=1 IN_CLUSTER        | token | KUBERNETES_VIA_API_SERVER | in-cluster
            --k8s-proxy                                 | ''                                    | token | ! --k8s-proxy needs a kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or run in a pod | -
            --k8s-proxy                                 | HOME=$HOME                            | token | ! --k8s-proxy needs a kubeconfig | -
            --k8s-proxy                                 | KUBECONFIG=$MISSING                   | token | ! --k8s-proxy needs a kubeconfig | -
            --k8s-proxy                                 | KUBERNETES_SERVICE_HOST=10.96.0.1     | none  | ! --k8s-proxy needs a kubeconfig | -
            ''                                          | DEV_USE_K8S_PROXY=true                | token | ! DEV_USE_K8S_PROXY=true needs a kubeconfig | -
            ''                                          | DEV_USE_K8S_PROXY=maybe KUBECONFIG=$KC | none | ! DEV_USE_K8S_PROXY: expected true or false, got | -
            --sandboxes $SB --k8s-proxy                 | ''                                    | token | ! --k8s-proxy with --sandboxes needs a kubeconfig | -
            --sandboxes $SB                             | DEV_USE_K8S_PROXY=yes                 | token | ! DEV_USE_K8S_PROXY=yes with --sandboxes needs a kubeconfig | -
            --sandboxes $SB --kubeconfig $KC            | ''                                    | none  | ! --kubeconfig: no effect with --sandboxes unless --k8s-proxy | -
            --sandboxes $SB --namespace n1 --pod-name-prefix p- | KUBECONFIG=$KC               | none  | ! --namespace, --pod-name-prefix: no effect with --sandboxes | -
            --namespace n1                              | ''                                    | token | ! --namespace needs a kubeconfig | -
            --pod-name-prefix p-                        | HOME=$HOME                            | token | ! --pod-name-prefix needs a kubeconfig | -
            """)
    void modeOrError(String commandLine, String environment, String serviceAccountFiles, String expected,
                     String credentials) throws Exception {
        if (expected.startsWith("!")) {
            assertThatThrownBy(() -> select(commandLine, environment, serviceAccountFiles))
                    .isInstanceOf(GatewayStartException.class)
                    .message().startsWith(expected.substring(1).trim()).doesNotContain("\n");
            return;
        }
        GatewayMode mode = select(commandLine, environment, serviceAccountFiles);

        assertThat(mode.kind()).isEqualTo(GatewayMode.Kind.valueOf(expected));
        assertThat(describe(mode)).isEqualTo(expand(credentials));
        assertThat(mode.kubernetes() != null).isEqualTo(mode.kind().usesKubernetes());
        if (mode.kubernetes() != null) {
            assertThat(mode.kubernetes().useApiServerProxy()).isEqualTo(mode.kind().viaApiServer());
        }
    }

    private static String describe(GatewayMode mode) {
        if (mode.kubeconfig() == null) {
            return "-";
        }
        if (mode.kubeconfig() instanceof GatewayMode.KubeconfigFile file) {
            return file.origin() + " " + file.file();
        }
        assertThat(((GatewayMode.InCluster) mode.kubeconfig()).serviceAccountDir()).isEqualTo(serviceAccount);
        return "in-cluster";
    }

    @Test
    void aSetKubeconfigThatNamesNoFileIsMentionedInTheError() {
        assertThatThrownBy(() -> select("--k8s-proxy", "KUBECONFIG=$MISSING", "none"))
                .hasMessageEndingWith("; KUBECONFIG names no existing file: " + dir.resolve("missing.yaml"));
    }

    @Test
    void theFlagsBecomeTheKubernetesSettings() throws Exception {
        GatewayMode mode = select("--kubeconfig $KC --namespace liteboxd-sandbox --pod-name-prefix box-", null,
                "none");

        KubernetesSettings k8s = mode.kubernetes();
        assertThat(k8s.namespace()).isEqualTo("liteboxd-sandbox");
        assertThat(k8s.podNamePrefix()).isEqualTo("box-");
        assertThat(k8s.podName("abc")).isEqualTo("box-abc");
        assertThat(k8s.kubeconfig()).contains(kubeconfig);
        assertThat(k8s.useApiServerProxy()).isFalse();
    }

    @Test
    void withoutFlagsTheLibraryDefaultsApply() throws Exception {
        KubernetesSettings k8s = select(null, "IN_CLUSTER", "token").kubernetes();

        assertThat(k8s.namespace()).isEqualTo("liteboxd");
        assertThat(k8s.podNamePrefix()).isEqualTo("sandbox-");
        assertThat(k8s.kubeconfig()).isEmpty();
    }

    @Test
    void theTwoArgumentSelectReadsTheRealServiceAccountDirectoryOnlyWithTheServiceVariables() throws Exception {
        // Without KUBERNETES_SERVICE_HOST the real /var/run/secrets is never looked at, so this holds anywhere.
        GatewayOptions options = GatewayOptions.defaults();

        assertThat(GatewayMode.select(options, Map.of()).kind()).isEqualTo(GatewayMode.Kind.DEMO);
    }
}
