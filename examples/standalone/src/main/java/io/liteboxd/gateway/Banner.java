package io.liteboxd.gateway;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.kubernetes.KubernetesSettings;
import java.util.StringJoiner;

/** What the gateway prints to stdout once it listens: where it is, and lines to paste to try it. */
final class Banner {

    private Banner() {
    }

    static String render(GatewayServer gateway) {
        String base = gateway.baseUri().toString();
        StringBuilder out = new StringBuilder();
        out.append("liteboxd-gateway listening on ").append(base).append('\n');
        gateway.adminUri().ifPresent(admin -> out.append("Admin port: ").append(admin).append(AdminServer.HEALTHZ)
                .append(", ").append(AdminServer.READYZ).append(", ").append(AdminServer.METRICS).append('\n'));
        mode(out, gateway);
        gateway.demo().ifPresentOrElse(demo -> demo(out, gateway, demo), () -> sandboxes(out, gateway));
        return out.toString();
    }

    private static void demo(StringBuilder out, GatewayServer gateway, DemoSandbox demo) {
        String mount = gateway.baseUri() + gateway.routePrefix() + "/" + DemoSandbox.ID + "/port/" + demo.port();
        String wsMount = "ws" + mount.substring("http".length());
        String header = AccessTokens.HEADER + ": " + demo.token();
        out.append('\n')
                .append("Demo sandbox \"").append(DemoSandbox.ID).append("\" is running in-process on ")
                .append(DemoSandbox.HOST).append(':').append(demo.port()).append(" (no --sandboxes given).\n")
                .append("Access token (new every start): ").append(demo.token()).append("\n\n")
                .append("HTTP echo:\n")
                .append("  curl -H '").append(header).append("' '").append(mount).append("/echo?hello=world'\n")
                .append("WebSocket echo:\n")
                // websocat's -H takes several values and would swallow a following URL; "-H=" stops it.
                .append("  websocat -H='").append(header).append("' ").append(wsMount).append("/ws\n")
                .append("  npx wscat -c ").append(wsMount).append("/ws -H '").append(header).append("'\n")
                .append("Browser page (the link logs the browser in with a cookie for this sandbox):\n")
                .append("  ").append(mount).append("/?").append(AccessTokens.QUERY_PARAMETER).append('=')
                .append(demo.token()).append('\n');
        String baseDomain = gateway.options().proxyConfig().baseDomain();
        if (baseDomain != null) {
            out.append("Host-style page (the name must resolve to this gateway, e.g. via /etc/hosts):\n")
                    .append("  http://").append(demo.port()).append('-').append(DemoSandbox.ID).append('.')
                    .append(baseDomain).append(':').append(gateway.port()).append("/?")
                    .append(AccessTokens.QUERY_PARAMETER).append('=').append(demo.token()).append('\n');
        }
    }

    /** Which set-up runs, so that an environment variable turning on Kubernetes mode is never a surprise. */
    private static void mode(StringBuilder out, GatewayServer gateway) {
        GatewayMode mode = gateway.mode();
        out.append("Mode: ").append(mode.kind().description()).append('\n');
        if (mode.kind().usesKubernetes()) {
            out.append("Kubernetes: API server ")
                    .append(gateway.kubernetesApiServer().map(Object::toString).orElse("?"))
                    .append(", namespace ").append(mode.kubernetes().namespace())
                    .append(", from ").append(mode.kubeconfig().describe()).append('\n');
        }
        out.append("WebSocket relay: ").append(gateway.webSocketRelay()).append('\n');
    }

    private static void sandboxes(StringBuilder out, GatewayServer gateway) {
        GatewayMode mode = gateway.mode();
        if (mode.kind() == GatewayMode.Kind.KUBERNETES || mode.kind() == GatewayMode.Kind.KUBERNETES_VIA_API_SERVER) {
            pods(out, gateway, mode.kubernetes());
            return;
        }
        out.append("Sandboxes: ").append(gateway.sandboxIds().isEmpty() ? "(none)" : String.join(", ", gateway.sandboxIds()))
                .append('\n')
                .append("Try: curl -H '").append(AccessTokens.HEADER).append(": <token>' '")
                .append(gateway.baseUri()).append(gateway.routePrefix()).append("/<sandbox-id>/port/<port>/'\n");
        if (mode.kind() == GatewayMode.Kind.SANDBOXES_VIA_API_SERVER) {
            out.append("Pods in namespace ").append(mode.kubernetes().namespace()).append(": ");
            StringJoiner pods = new StringJoiner(", ");
            gateway.podNames().forEach((id, pod) -> pods.add(id + " -> " + pod));
            out.append(pods.length() == 0 ? "(none)" : pods.toString()).append('\n');
        }
    }

    private static void pods(StringBuilder out, GatewayServer gateway, KubernetesSettings k8s) {
        out.append("Sandboxes: pods of namespace ").append(k8s.namespace());
        if (!k8s.labelSelector().isEmpty()) {
            out.append(" matching ").append(k8s.labelSelector());
        }
        out.append(", named ").append(k8s.podNamePrefix()).append("{id} or labelled ")
                .append(k8s.sandboxIdLabel()).append("={id}\n")
                .append("Tokens: pod annotation ").append(k8s.tokenAnnotation()).append('\n')
                .append("Pod list: ").append(gateway.podsListed()
                        ? "loaded"
                        : "not loaded yet; requests answer 503 until it is (see the log)").append('\n')
                .append("Try: curl -H '").append(AccessTokens.HEADER).append(": <token>' '")
                .append(gateway.baseUri()).append(gateway.routePrefix()).append("/<sandbox-id>/port/<port>/'\n");
    }
}
