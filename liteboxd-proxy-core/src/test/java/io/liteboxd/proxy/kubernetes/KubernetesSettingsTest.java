package io.liteboxd.proxy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesSettingsTest {

    @Test
    void defaultsAreTheSeeds() {
        KubernetesSettings s = KubernetesSettings.defaults();
        assertThat(s.useApiServerProxy()).isFalse();
        assertThat(s.namespace()).isEqualTo("liteboxd");
        assertThat(s.podName("abc")).isEqualTo("sandbox-abc");
        assertThat(s.labelSelector()).isEqualTo("app=liteboxd");
        assertThat(s.sandboxIdLabel()).isEqualTo("sandbox-id");
        assertThat(s.tokenAnnotation()).isEqualTo("liteboxd.io/access-token");
        assertThat(s.kubeconfig()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "1", "yes", "on", " true "})
    void devUseK8sProxySwitchesOn(String value) {
        assertThat(KubernetesSettings.useApiServerProxy(Map.of("DEV_USE_K8S_PROXY", value))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "0", "no", "off", "", "  "})
    void devUseK8sProxyOffValues(String value) {
        assertThat(KubernetesSettings.useApiServerProxy(Map.of("DEV_USE_K8S_PROXY", value))).isFalse();
    }

    @Test
    void devUseK8sProxyUnsetIsOffAndGarbageIsAnError() {
        assertThat(KubernetesSettings.useApiServerProxy(Map.of())).isFalse();
        assertThatThrownBy(() -> KubernetesSettings.useApiServerProxy(Map.of("DEV_USE_K8S_PROXY", "ture")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DEV_USE_K8S_PROXY");
    }

    @Test
    void initParamsWinOverEnvironment() {
        Map<String, String> params = Map.of("k8sProxy", "false", "namespace", "from-param");
        Map<String, String> env = Map.of("DEV_USE_K8S_PROXY", "true", "LITEBOXD_NAMESPACE", "from-env",
                "LITEBOXD_POD_NAME_PREFIX", "box-", "LITEBOXD_LABEL_SELECTOR", "tier=sandbox",
                "LITEBOXD_KUBECONFIG", "/etc/kube/config", "LITEBOXD_TOKEN_REFRESH_PERIOD", "30s");
        KubernetesSettings s = KubernetesSettings.from(params::get, env);
        assertThat(s.useApiServerProxy()).isFalse();
        assertThat(s.namespace()).isEqualTo("from-param");
        assertThat(s.podNamePrefix()).isEqualTo("box-");
        assertThat(s.labelSelector()).isEqualTo("tier=sandbox");
        assertThat(s.kubeconfig()).contains(Path.of("/etc/kube/config"));
        assertThat(s.tokenRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void environmentSwitchAppliesWithoutInitParam() {
        assertThat(KubernetesSettings.from(k -> null, Map.of("DEV_USE_K8S_PROXY", "true")).useApiServerProxy())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/b", "A", "-a", "a-", "with space", "a%2fb"})
    void namespaceMustBeADnsLabel(String ns) {
        assertThatThrownBy(() -> KubernetesSettings.builder().namespace(ns))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../", "a/", "Sandbox-", "-x", "x%2f"})
    void podNamePrefixCannotCarryPathCharacters(String prefix) {
        assertThatThrownBy(() -> KubernetesSettings.builder().podNamePrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedDurationNamesTheSetting() {
        assertThatThrownBy(() -> KubernetesSettings.from(k -> k.equals("tokenRefreshPeriod") ? "soon" : null,
                Map.of())).hasMessageContaining("tokenRefreshPeriod");
    }
}
