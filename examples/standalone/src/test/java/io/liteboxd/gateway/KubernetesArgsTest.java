package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Kubernetes flags of the command line: {@code --k8s-proxy} (no value), {@code --kubeconfig}, ... */
class KubernetesArgsTest {

    private static GatewayOptions run(String... args) throws UsageException {
        GatewayArgs.Command command = GatewayArgs.parse(args);
        assertThat(command).isInstanceOf(GatewayArgs.Run.class);
        return ((GatewayArgs.Run) command).options();
    }

    @Test
    void withoutKubernetesFlagsNothingIsSet() throws Exception {
        assertThat(run().kubernetes()).isEqualTo(KubernetesOptions.NONE);
        assertThat(run("--sandboxes", "s.json").kubernetes()).isEqualTo(KubernetesOptions.NONE);
    }

    @Test
    void everyKubernetesFlagIsApplied() throws Exception {
        GatewayOptions options = run("--kubeconfig", "/etc/k/config", "--k8s-proxy", "--namespace",
                "liteboxd-sandbox", "--pod-name-prefix", "box-");

        assertThat(options.kubernetes())
                .isEqualTo(new KubernetesOptions(true, Path.of("/etc/k/config"), "liteboxd-sandbox", "box-"));
    }

    @Test
    void equalsFormIsAcceptedForValuedFlags() throws Exception {
        KubernetesOptions k8s = run("--kubeconfig=/k", "--namespace=ns1", "--pod-name-prefix=p.").kubernetes();

        assertThat(k8s).isEqualTo(new KubernetesOptions(false, Path.of("/k"), "ns1", "p."));
    }

    @Test
    void theSwitchTakesNoValueSoTheNextOptionIsParsed() throws Exception {
        // Were --k8s-proxy to consume a value like the other options, it would swallow "--listen" here.
        GatewayOptions first = run("--k8s-proxy", "--listen", "127.0.0.1:9001");
        GatewayOptions last = run("--sandboxes", "s.json", "--k8s-proxy");

        assertThat(first.kubernetes().k8sProxy()).isTrue();
        assertThat(first.port()).isEqualTo(9001);
        assertThat(last.kubernetes().k8sProxy()).isTrue();
        assertThat(last.sandboxesFile()).isEqualTo(Path.of("s.json"));
    }

    @Test
    void otherOptionsKeepTheKubernetesFlags() throws Exception {
        GatewayOptions options = run("--k8s-proxy", "--namespace", "ns1");

        assertThat(options.withListen("127.0.0.1", 0).kubernetes()).isEqualTo(options.kubernetes());
        assertThat(options.withSandboxesFile(Path.of("x.json")).kubernetes()).isEqualTo(options.kubernetes());
        assertThat(options.withKubernetes(null).kubernetes()).isEqualTo(KubernetesOptions.NONE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --k8s-proxy=true                            | --k8s-proxy takes no value
            --k8s-proxy=                                | --k8s-proxy takes no value
            --k8s-proxy yes                             | unexpected argument: yes
            --k8s-proxy --k8s-proxy                     | --k8s-proxy given more than once
            --kubeconfig                                | --kubeconfig needs a value
            --kubeconfig --k8s-proxy                    | --kubeconfig needs a value
            --kubeconfig=                               | --kubeconfig needs a value
            --namespace                                 | --namespace needs a value
            --namespace Sandboxes                       | --namespace: not a Kubernetes namespace
            --namespace sand_box                        | --namespace: not a Kubernetes namespace
            --namespace -ns                             | --namespace: not a Kubernetes namespace
            --namespace a/../b                          | --namespace: not a Kubernetes namespace
            --pod-name-prefix                           | --pod-name-prefix needs a value
            --pod-name-prefix Box-                      | --pod-name-prefix: must start a Kubernetes pod name
            --pod-name-prefix -box                      | --pod-name-prefix: must start a Kubernetes pod name
            --pod-name-prefix box/                      | --pod-name-prefix: must start a Kubernetes pod name
            --namespace a --namespace=b                 | --namespace given more than once
            --kubeproxy                                 | unknown option: --kubeproxy
            """)
    void badKubernetesFlagsNameTheProblem(String commandLine, String expectedMessage) {
        String[] args = commandLine.trim().split("\\s+");

        assertThatThrownBy(() -> GatewayArgs.parse(args))
                .isInstanceOf(UsageException.class)
                .message().startsWith(expectedMessage.trim()).doesNotContain("\n");
    }

    @Test
    void aNamespaceLongerThanALabelIsRefused() throws Exception {
        assertThatThrownBy(() -> GatewayArgs.parse("--namespace", "n".repeat(64)))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--namespace: not a Kubernetes namespace");
        // 63 is the limit itself, and allowed.
        assertThat(GatewayArgs.parse("--namespace", "n".repeat(63))).isInstanceOf(GatewayArgs.Run.class);
    }

    @Test
    void usageListsTheKubernetesFlags() {
        assertThat(GatewayArgs.usage()).contains("--kubeconfig FILE", "--k8s-proxy", "DEV_USE_K8S_PROXY=true",
                "--namespace NAME", "(default liteboxd)", "--pod-name-prefix P", "(default sandbox-)",
                "never ~/.kube/config");
    }

    @Test
    void kubernetesOptionsValidateOnConstructionToo() {
        assertThatThrownBy(() -> new KubernetesOptions(false, null, "Bad", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KubernetesOptions(false, null, null, "Bad"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
