package io.liteboxd.proxy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.liteboxd.proxy.resolve.Sandbox;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubernetesSandboxResolverRankingTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void readyBeatsRunningBeatsPendingWhateverTheirAge() {
        V1Pod pending = pod("p", "Pending", false, null, T0.plusMinutes(3));
        V1Pod running = pod("r", "Running", false, "10.0.0.2", T0.plusMinutes(2));
        V1Pod ready = pod("ok", "Running", true, "10.0.0.1", T0);
        assertThat(KubernetesSandboxResolver.best(List.of(pending, running, ready))).containsSame(ready);
        assertThat(KubernetesSandboxResolver.best(List.of(pending, running))).containsSame(running);
    }

    @Test
    void newestWinsAmongEquals() {
        V1Pod old = pod("old", "Running", true, "10.0.0.1", T0);
        V1Pod young = pod("young", "Running", true, "10.0.0.2", T0.plusSeconds(5));
        assertThat(KubernetesSandboxResolver.best(List.of(old, young))).containsSame(young);
        assertThat(KubernetesSandboxResolver.best(List.of(young, old))).containsSame(young);
    }

    @Test
    void terminatingReadyPodLosesToAPendingReplacement() {
        V1Pod terminating = pod("a", "Running", true, "10.0.0.1", T0);
        terminating.getMetadata().deletionTimestamp(T0.plusMinutes(1));
        V1Pod replacement = pod("b", "Pending", false, null, T0.plusMinutes(1));
        assertThat(KubernetesSandboxResolver.best(List.of(terminating, replacement))).containsSame(replacement);
        assertThat(KubernetesSandboxResolver.toSandbox("x", terminating).ready()).isFalse();
    }

    @Test
    void sandboxIsReadyOnlyWhenReadyWithAnAddress() {
        Sandbox ready = KubernetesSandboxResolver.toSandbox("x", pod("sandbox-x", "Running", true, "10.0.0.9", T0));
        assertThat(ready).isEqualTo(new Sandbox("x", "10.0.0.9", true, java.util.Set.of()));
        assertThat(KubernetesSandboxResolver.toSandbox("x", pod("n", "Running", true, null, T0)).ready()).isFalse();
        assertThat(KubernetesSandboxResolver.toSandbox("x", pod("n", "Running", false, "10.0.0.9", T0)).ready())
                .isFalse();
        assertThat(KubernetesSandboxResolver.best(List.of())).isEmpty();
    }

    @Test
    void forwardingOptionsComeFromPodAnnotations() {
        V1Pod pod = pod("sandbox-x", "Running", true, "10.0.0.9", T0);
        pod.getMetadata().putAnnotationsItem(KubernetesSandboxResolver.KEEP_PREFIX_PORTS, "8888, 5173,x,70000")
                .putAnnotationsItem(KubernetesSandboxResolver.PRESERVE_HOST_PORTS, "8888");
        Sandbox sandbox = KubernetesSandboxResolver.toSandbox("x", pod);

        assertThat(sandbox.keepPrefixPorts()).containsExactlyInAnyOrder(8888, 5173);
        assertThat(sandbox.preserveHostPorts()).containsExactly(8888);
    }

    private static V1Pod pod(String name, String phase, boolean ready, String ip, OffsetDateTime created) {
        V1PodStatus status = new V1PodStatus().phase(phase).podIP(ip)
                .addConditionsItem(new V1PodCondition().type("Ready").status(ready ? "True" : "False"));
        return new V1Pod().metadata(new V1ObjectMeta().name(name).creationTimestamp(created)).status(status);
    }
}
