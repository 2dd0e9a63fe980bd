package io.liteboxd.proxy.kubernetes;

import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves sandboxes from a shared informer on the sandbox pods (one list, then a watch), so a request costs no
 * API call. The informer relists and rewatches by itself when the watch ends or the connection drops.
 *
 * <p>A sandbox {@code id} is the pod named {@code podNamePrefix + id} or any pod labelled
 * {@code sandboxIdLabel=id}, among the pods in {@link KubernetesSettings#namespace()} matching
 * {@link KubernetesSettings#labelSelector()}. With several candidates (a replacement starting while the old pod
 * terminates), the best wins: Ready over Running over Pending over the rest, then the newest.
 *
 * <ul>
 *   <li>no such pod: empty (404 {@code sandbox_not_found});</li>
 *   <li>pod not Ready, terminating, or without a pod IP: a sandbox that is not ready (503 {@code sandbox_not_ready});</li>
 *   <li>before the first list has completed: {@link ProxyException} 503 {@code unavailable}, because "not found"
 *       would be a lie while the cache is still empty.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops the informer and its threads.
 */
public final class KubernetesSandboxResolver implements SandboxResolver, AutoCloseable {

    /** Pod annotation: ports (comma-separated) whose app gets the whole path, route prefix included. */
    public static final String KEEP_PREFIX_PORTS = "liteboxd.io/keep-prefix-ports";
    /** Pod annotation: ports (comma-separated) whose app gets the client's {@code Host}. */
    public static final String PRESERVE_HOST_PORTS = "liteboxd.io/preserve-host-ports";

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSandboxResolver.class);
    private static final String BY_SANDBOX_ID = "liteboxd-sandbox-id";
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final KubernetesSettings settings;
    private final ExecutorService executor;
    private final SharedInformerFactory factory;
    private final SharedIndexInformer<V1Pod> informer;
    private volatile String lastError;

    private KubernetesSandboxResolver(ApiClient client, KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        // Daemon threads: an application that forgets close() must still be able to exit.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "liteboxd-pod-informer-" + instance + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.factory = new SharedInformerFactory(client, executor, false);
        CoreV1Api api = new CoreV1Api(client);
        String namespace = settings.namespace();
        String selector = settings.labelSelector().isEmpty() ? null : settings.labelSelector();
        this.informer = factory.sharedIndexInformerFor(
                params -> api.listNamespacedPod(namespace)
                        .labelSelector(selector)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null),
                V1Pod.class, V1PodList.class, 0L,
                (type, error) -> {
                    lastError = error.toString();
                    LOG.warn("Listing/watching pods in namespace {} failed (retrying): {}", namespace,
                            error.toString());
                });
        informer.addIndexers(Map.of(BY_SANDBOX_ID, this::sandboxIdsOf));
    }

    /**
     * Creates the resolver and starts its informer. Returns at once; until the first list completes, lookups
     * answer 503. Use {@link #awaitSynced(Duration)} to wait for it at start-up.
     */
    public static KubernetesSandboxResolver start(KubernetesAccess access, KubernetesSettings settings) {
        return start(access.newApiClient(), settings);
    }

    /** Like {@link #start(KubernetesAccess, KubernetesSettings)} with a ready-made official client. */
    public static KubernetesSandboxResolver start(ApiClient client, KubernetesSettings settings) {
        KubernetesSandboxResolver resolver = new KubernetesSandboxResolver(client, settings);
        resolver.factory.startAllRegisteredInformers();
        return resolver;
    }

    /** True once the first list has been loaded into the cache. */
    public boolean hasSynced() {
        return informer.hasSynced();
    }

    /**
     * Waits up to {@code timeout} for the first list.
     *
     * @return whether the cache is synced
     */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!informer.hasSynced()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public Optional<Sandbox> resolve(String sandboxId) {
        return pod(sandboxId).map(pod -> toSandbox(sandboxId, pod));
    }

    /**
     * The pod that serves sandbox {@code sandboxId}, chosen as described on the class; for authenticators that
     * read the pod (e.g. {@link PodAnnotationTokenAuthenticator}).
     *
     * @throws ProxyException 503 {@code unavailable} before the first list has completed
     */
    public Optional<V1Pod> pod(String sandboxId) {
        if (!informer.hasSynced()) {
            String why = lastError;
            LOG.debug("Pod cache not synced yet{}", why == null ? "" : "; last error: " + why);
            throw new ProxyException(ProxyError.UNAVAILABLE, "the sandbox directory is still loading, retry shortly");
        }
        return best(informer.getIndexer().byIndex(BY_SANDBOX_ID, sandboxId));
    }

    /**
     * The name of the pod that serves sandbox {@code sandboxId} (see {@link #pod(String)}), for
     * {@link ApiServerProxyConnector}: pods found by label need not be named {@code podNamePrefix + id}.
     *
     * @throws ProxyException 503 {@code unavailable} before the first list has completed
     */
    public Optional<String> podName(String sandboxId) {
        return pod(sandboxId).map(V1Pod::getMetadata).map(V1ObjectMeta::getName);
    }

    /** The candidate that should serve traffic: Ready, then Running, then Pending, then others; newest first. */
    static Optional<V1Pod> best(List<V1Pod> candidates) {
        if (candidates == null || candidates.isEmpty()) {
            return Optional.empty();
        }
        Comparator<V1Pod> order = Comparator.comparingInt(KubernetesSandboxResolver::rank).reversed()
                .thenComparing(KubernetesSandboxResolver::created, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(p -> p.getMetadata() == null ? "" : Objects.toString(p.getMetadata().getName(), ""));
        return candidates.stream().min(order);
    }

    static Sandbox toSandbox(String sandboxId, V1Pod pod) {
        String podIp = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        boolean ready = rank(pod) == 3 && podIp != null && !podIp.isBlank();
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return new Sandbox(sandboxId, podIp, ready, Set.of(),
                portList(annotations, KEEP_PREFIX_PORTS), portList(annotations, PRESERVE_HOST_PORTS));
    }

    /** The ports of a comma-separated annotation value; what is not a port (1-65535) is skipped. */
    static Set<Integer> portList(Map<String, String> annotations, String name) {
        String value = annotations == null ? null : annotations.get(name);
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<Integer> ports = new java.util.LinkedHashSet<>();
        for (String item : value.split(",")) {
            try {
                int port = Integer.parseInt(item.trim());
                if (port >= 1 && port <= 65535) {
                    ports.add(port);
                }
            } catch (NumberFormatException e) {
                LOG.debug("Annotation {}: {} is not a port", name, item.trim());
            }
        }
        return ports;
    }

    private static int rank(V1Pod pod) {
        V1ObjectMeta meta = pod.getMetadata();
        if (meta != null && meta.getDeletionTimestamp() != null) {
            return 0;  // terminating: about to go away, never route new traffic to it
        }
        V1PodStatus status = pod.getStatus();
        if (status == null) {
            return 0;
        }
        if (isReady(status)) {
            return 3;
        }
        String phase = status.getPhase();
        if ("Running".equals(phase)) {
            return 2;
        }
        return "Pending".equals(phase) ? 1 : 0;
    }

    private static boolean isReady(V1PodStatus status) {
        if (!"Running".equals(status.getPhase()) || status.getConditions() == null) {
            return false;
        }
        for (V1PodCondition c : status.getConditions()) {
            if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }

    private static OffsetDateTime created(V1Pod pod) {
        return pod.getMetadata() == null ? null : pod.getMetadata().getCreationTimestamp();
    }

    private List<String> sandboxIdsOf(V1Pod pod) {
        List<String> ids = new ArrayList<>(2);
        V1ObjectMeta meta = pod.getMetadata();
        if (meta == null) {
            return ids;
        }
        String name = meta.getName();
        String prefix = settings.podNamePrefix();
        if (name != null && name.startsWith(prefix) && name.length() > prefix.length()) {
            ids.add(name.substring(prefix.length()));
        }
        String label = meta.getLabels() == null ? null : meta.getLabels().get(settings.sandboxIdLabel());
        if (label != null && !label.isEmpty() && !ids.contains(label)) {
            ids.add(label);
        }
        return ids;
    }

    /** Stops the informer (its watch connection and threads). */
    @Override
    public void close() {
        factory.stopAllRegisteredInformers(true);
        executor.shutdownNow();
    }
}
