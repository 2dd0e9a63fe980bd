package io.liteboxd.proxy.kubernetes.standin;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for sandbox pods in the shapes LiteBoxd creates them, and for their life-cycle steps. */
public final class Pods {

    private Pods() {
    }

    /**
     * A freshly created sandbox pod {@code sandbox-{id}}: labelled {@code app=liteboxd}, {@code sandbox-id={id}},
     * annotated with its access token, phase Pending, no IP yet.
     */
    public static V1Pod sandbox(String id, String token) {
        Map<String, String> labels = new HashMap<>(Map.of("app", "liteboxd", "sandbox-id", id));
        Map<String, String> annotations = new HashMap<>(Map.of("liteboxd.io/access-token", token));
        return new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name("sandbox-" + id).labels(labels).annotations(annotations)
                        .creationTimestamp(OffsetDateTime.now(ZoneOffset.UTC)))
                .status(new V1PodStatus().phase("Pending"));
    }

    /** A copy of {@code pod} that is Running and Ready at {@code podIp}. */
    public static V1Pod ready(V1Pod pod, String podIp) {
        V1Pod copy = copy(pod);
        List<V1PodCondition> conditions = new ArrayList<>();
        conditions.add(new V1PodCondition().type("Ready").status("True"));
        copy.status(new V1PodStatus().phase("Running").podIP(podIp).conditions(conditions));
        return copy;
    }

    /** A copy of {@code pod} that is Running at {@code podIp} but not Ready (readiness probe failing). */
    public static V1Pod runningNotReady(V1Pod pod, String podIp) {
        V1Pod copy = copy(pod);
        List<V1PodCondition> conditions = new ArrayList<>();
        conditions.add(new V1PodCondition().type("Ready").status("False"));
        copy.status(new V1PodStatus().phase("Running").podIP(podIp).conditions(conditions));
        return copy;
    }

    /** A deep copy, so that the stand-in's store never shares objects with a test. */
    public static V1Pod copy(V1Pod pod) {
        return JSON.deserialize(JSON.serialize(pod), V1Pod.class);
    }
}
