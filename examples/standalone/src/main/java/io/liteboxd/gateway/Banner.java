package io.liteboxd.gateway;

import io.liteboxd.proxy.auth.AccessTokens;

/** What the gateway prints to stdout once it listens: where it is, and lines to paste to try it. */
final class Banner {

    private Banner() {
    }

    static String render(GatewayServer gateway) {
        String base = gateway.baseUri().toString();
        StringBuilder out = new StringBuilder();
        out.append("liteboxd-gateway listening on ").append(base).append('\n');
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
                .append("Browser page: ").append(mount).append("/\n")
                .append("  (coming with browser auth: a browser cannot send the ").append(AccessTokens.HEADER)
                .append(" header, so today it gets 401)\n");
    }

    private static void sandboxes(StringBuilder out, GatewayServer gateway) {
        out.append("Sandboxes: ").append(gateway.sandboxIds().isEmpty() ? "(none)" : String.join(", ", gateway.sandboxIds()))
                .append('\n')
                .append("Try: curl -H '").append(AccessTokens.HEADER).append(": <token>' '")
                .append(gateway.baseUri()).append(gateway.routePrefix()).append("/<sandbox-id>/port/<port>/'\n");
    }
}
