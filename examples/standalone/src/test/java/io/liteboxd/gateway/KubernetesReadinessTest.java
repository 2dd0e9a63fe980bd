package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.kubernetes.standin.ApiServerStandin;
import io.liteboxd.proxy.kubernetes.standin.Kubeconfigs;
import io.liteboxd.proxy.kubernetes.standin.TestPki;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * In Kubernetes mode {@code /readyz} says ready only once the pod informer has listed the sandbox pods: a replica
 * started while the API server cannot list them stays out of the Service until it can, while {@code /healthz} says
 * it is alive (so the kubelet does not restart it for the API server's trouble).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KubernetesReadinessTest {

    private static final String NAMESPACE = "liteboxd";
    private static final String GATEWAY_TOKEN = "readiness-gateway-token";

    @TempDir
    Path dir;

    @Test
    void notReadyUntilThePodsAreListed() throws Exception {
        TestPki pki = TestPki.create("readiness-test-ca");
        try (ApiServerStandin apiServer = ApiServerStandin.start(pki, NAMESPACE)) {
            apiServer.allowToken(GATEWAY_TOKEN);
            apiServer.listUnavailable(true);
            Path kubeconfig = Kubeconfigs.bearerToken(dir, apiServer.uri(), pki.caPem(), GATEWAY_TOKEN);
            GatewayOptions options = ((GatewayArgs.Run) GatewayArgs.parse("--listen", "127.0.0.1:0",
                    "--admin-port", "0", "--kubeconfig", kubeconfig.toString(), "--namespace", NAMESPACE)).options();

            // Start-up waits a bounded time for the first list, then serves (503 per request) without it.
            try (GatewayServer gateway = GatewayServer.start(options,
                    GatewayMode.select(options, Map.of(), dir.resolve("no-service-account")))) {
                URI admin = gateway.adminUri().orElseThrow();
                HttpResponse<String> notReady = TestHttp.get(admin.resolve("/readyz"));
                assertThat(notReady.statusCode()).isEqualTo(503);
                assertThat(TestHttp.json(notReady).path("reason").asText()).isEqualTo("pods_not_listed");
                assertThat(TestHttp.get(admin.resolve("/healthz")).statusCode()).isEqualTo(200);

                apiServer.listUnavailable(false);
                HttpResponse<String> ready = notReady;
                long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
                while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    ready = TestHttp.get(admin.resolve("/readyz"));
                }
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(gateway.podsListed()).isTrue();
            }
        }
    }
}
