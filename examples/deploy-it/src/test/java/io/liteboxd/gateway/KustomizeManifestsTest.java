package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.util.Yaml;
import io.liteboxd.proxy.config.ProxyConfig;
import java.io.File;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay of {@code examples/kubernetes} with {@code kubectl kustomize}, parses each object with the
 * official Kubernetes client's models (an unknown field or kind fails), and checks the wiring against the gateway
 * itself: its command line is parsed by {@link GatewayArgs}, and the probe paths are asked of a running gateway.
 *
 * <p>Needs {@code kubectl} (Debian's {@code kubectl} package). Skipped with a message when it is missing, unless
 * {@code LITEBOXD_REQUIRE_KUBECTL} is set, as CI does.
 */
class KustomizeManifestsTest {

    private static final Path MANIFESTS = Path.of(System.getProperty("manifests.dir", "../kubernetes"));
    private static String kubectl;

    @BeforeAll
    static void findKubectl() {
        kubectl = findOnPath(System.getenv().getOrDefault("KUBECTL", "kubectl"));
        if (kubectl == null) {
            String why = "kubectl is missing (apt-get install -y kubectl)";
            if (System.getenv("LITEBOXD_REQUIRE_KUBECTL") != null) {
                throw new IllegalStateException(why + ", and LITEBOXD_REQUIRE_KUBECTL is set");
            }
            System.err.println("*** SKIPPING the Kustomize manifest test: " + why + " ***");
            Assumptions.abort(why);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "local"})
    void overlay_rendersParsesAndIsWired(String overlay) throws Exception {
        List<Object> objects = render(MANIFESTS.resolve("overlays").resolve(overlay));
        assertThat(objects).allSatisfy(o -> assertThat(o).as("every object is a typed model")
                .isInstanceOf(KubernetesObject.class));

        V1Deployment deployment = one(objects, V1Deployment.class);
        String namespace = deployment.getMetadata().getNamespace();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        V1PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        assertSelects(deployment.getSpec().getSelector(), podLabels);

        assertThat(pod.getContainers()).hasSize(1);
        V1Container gateway = pod.getContainers().get(0);
        GatewayOptions options = ((GatewayArgs.Run) GatewayArgs.parse(gateway.getArgs())).options();
        assertThat(options.host()).isEqualTo("0.0.0.0");
        int httpPort = containerPort(gateway, "http");
        int adminPort = containerPort(gateway, "admin");
        assertThat(options.port()).isEqualTo(httpPort);
        assertThat(options.deploy().adminPort()).isEqualTo(adminPort);

        // Probes: the admin port, on the paths the gateway answers.
        assertProbe(gateway, gateway.getReadinessProbe(), AdminServer.READYZ, adminPort);
        assertProbe(gateway, gateway.getLivenessProbe(), AdminServer.HEALTHZ, adminPort);
        assertProbe(gateway, gateway.getStartupProbe(), AdminServer.HEALTHZ, adminPort);

        // The Service reaches the sandbox port and selects the pods.
        V1Service service = one(objects, V1Service.class);
        assertThat(service.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).hasSize(1).allSatisfy(p ->
                assertThat(resolve(gateway, p.getTargetPort())).isEqualTo(options.port()));

        // The signing key: the file the flag names is the Secret's key, mounted read-only.
        Path keyFile = options.deploy().signingKeyFile();
        assertThat(keyFile).isNotNull();
        V1VolumeMount mount = gateway.getVolumeMounts().stream()
                .filter(m -> keyFile.startsWith(Path.of(m.getMountPath()))).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isTrue();
        V1Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow();
        assertThat(volume.getSecret()).as("a Secret volume").isNotNull();
        String inVolume = Path.of(mount.getMountPath()).relativize(keyFile).toString();
        List<V1KeyToPath> items = volume.getSecret().getItems();
        String secretKey = items == null ? inVolume : items.stream().filter(i -> i.getPath().equals(inVolume))
                .map(V1KeyToPath::getKey).findFirst().orElseThrow(() -> new AssertionError(
                        "no item of the Secret volume is mounted at " + keyFile));
        List<V1Secret> secrets = all(objects, V1Secret.class);
        if (!secrets.isEmpty()) {
            V1Secret secret = secrets.stream().filter(s -> s.getMetadata().getName()
                    .equals(volume.getSecret().getSecretName())).findFirst().orElseThrow();
            assertThat(secret.getMetadata().getNamespace()).isEqualTo(namespace);
            assertThat(secret.getData()).containsKey(secretKey);
            assertThat(secret.getData().get(secretKey)).as("key length").hasSizeGreaterThanOrEqualTo(32);
        }

        // Shutdown: the grace period outlasts the pre-stop pause, the WebSocket drain and the HTTP stop timeout.
        long preStopMillis = TimeUnit.SECONDS.toMillis(
                gateway.getLifecycle().getPreStop().getSleep().getSeconds());
        long stopMillis = preStopMillis + options.proxyConfig().drainTimeout().toMillis()
                + GatewayServer.STOP_TIMEOUT_MS;
        assertThat(TimeUnit.SECONDS.toMillis(pod.getTerminationGracePeriodSeconds()))
                .as("terminationGracePeriodSeconds").isGreaterThan(stopMillis);
        assertThat(ProxyConfig.defaults().drainTimeout()).isEqualTo(options.proxyConfig().drainTimeout());

        // Non-root, read-only root file system, nothing to escalate, a writable /tmp only.
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(gateway.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(gateway.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(gateway.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(gateway.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(gateway.getEnv()).extracting(V1EnvVar::getName).contains("JAVA_TOOL_OPTIONS");
        assertThat(gateway.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst()
                .orElseThrow().getValue()).contains("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=/tmp");

        // Requests (the scheduler's view) and a memory limit at least as large.
        assertThat(gateway.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(gateway.getResources().getLimits().get("memory").getNumber())
                .isGreaterThanOrEqualTo(gateway.getResources().getRequests().get("memory").getNumber());

        // Disruption budget and autoscaler aim at these pods.
        V1PodDisruptionBudget pdb = one(objects, V1PodDisruptionBudget.class);
        assertThat(pdb.getMetadata().getNamespace()).isEqualTo(namespace);
        assertSelects(pdb.getSpec().getSelector(), podLabels);
        V2HorizontalPodAutoscaler hpa = one(objects, V2HorizontalPodAutoscaler.class);
        assertThat(hpa.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(deployment.getSpec().getReplicas())
                .isLessThan(hpa.getSpec().getMaxReplicas());

        // RBAC: the pods' service account may read the pods of the namespace the gateway watches.
        V1ServiceAccount account = one(objects, V1ServiceAccount.class);
        assertThat(account.getMetadata().getName()).isEqualTo(pod.getServiceAccountName());
        assertThat(account.getMetadata().getNamespace()).isEqualTo(namespace);
        V1Role role = one(objects, V1Role.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(options.kubernetes().namespace());
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).contains("pods");
            assertThat(rule.getVerbs()).contains("get", "list", "watch");
        });
        V1RoleBinding binding = one(objects, V1RoleBinding.class);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(role.getMetadata().getNamespace());
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        RbacV1Subject subject = binding.getSubjects().get(0);
        assertThat(subject.getName()).isEqualTo(pod.getServiceAccountName());
        assertThat(subject.getNamespace()).isEqualTo(namespace);

        // Network policies: the sandbox side admits these pods; the gateway's own egress applies to them.
        List<V1NetworkPolicy> policies = all(objects, V1NetworkPolicy.class);
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.getMetadata().getNamespace()).isEqualTo(options.kubernetes().namespace());
            V1NetworkPolicyPeer from = p.getSpec().getIngress().get(0).getFrom().get(0);
            assertSelects(from.getPodSelector(), podLabels);
            assertSelects(from.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", namespace));
        });
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.getMetadata().getNamespace()).isEqualTo(namespace);
            assertSelects(p.getSpec().getPodSelector(), podLabels);
        });
    }

    /** The probe paths of the manifests are what a gateway with an admin port answers 200 to. */
    @ParameterizedTest
    @ValueSource(strings = {AdminServer.HEALTHZ, AdminServer.READYZ, AdminServer.METRICS})
    void probePaths_areServedByTheGateway(String path) throws Exception {
        try (GatewayServer gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withDeploy(DeployOptions.NONE.withAdminPort(0)))) {
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create(gateway.adminUri().orElseThrow() + path))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    private static void assertProbe(V1Container container, V1Probe probe, String path, int adminPort) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(resolve(container, probe.getHttpGet().getPort())).isEqualTo(adminPort);
    }

    private static int resolve(V1Container container, IntOrString port) {
        return port.isInteger() ? port.getIntValue() : containerPort(container, port.getStrValue());
    }

    private static int containerPort(V1Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName()))
                .map(V1ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static void assertSelects(V1LabelSelector selector, Map<String, String> labels) {
        assertThat(selector).isNotNull();
        assertThat(selector.getMatchExpressions()).as("only matchLabels are checked here").isNullOrEmpty();
        assertThat(selector.getMatchLabels()).isNotEmpty();
        assertThat(labels).containsAllEntriesOf(selector.getMatchLabels());
    }

    private static <T> T one(List<Object> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static <T> List<T> all(List<Object> objects, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Object o : objects) {
            if (type.isInstance(o)) {
                found.add(type.cast(o));
            }
        }
        return found;
    }

    private static List<Object> render(Path overlay) throws Exception {
        Process p = new ProcessBuilder(kubectl, "kustomize", overlay.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", overlay, err).isZero();
        return Yaml.loadAll(new String(out, StandardCharsets.UTF_8));
    }

    private static String findOnPath(String name) {
        if (name.contains(File.separator)) {
            return Files.isExecutable(Path.of(name)) ? name : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
