package io.liteboxd.proxy.internal.header;

import java.util.List;

/**
 * The client cannot borrow the gateway's standing with the upstream. Identity assertions that an authenticating
 * proxy or the Kubernetes API server act on ({@code Impersonate-*}, {@code X-Remote-*}) never cross; where the
 * connection itself carries the gateway's identity (API-server mode) the client's {@code Authorization} does not
 * either. Then the connector's own headers are set, replacing the client's of the same name.
 */
final class UpstreamIdentityFilter implements HeaderFilter {

    private static final String IMPERSONATE = "Impersonate-";
    private static final String REMOTE = "X-Remote-";

    @Override
    public void request(HeaderBlock headers, HeaderContext context) {
        boolean gatewayIdentity = context.target().carriesGatewayIdentity();
        headers.removeIf(name -> Names.startsWith(name, IMPERSONATE) || Names.startsWith(name, REMOTE)
                || (gatewayIdentity && name.equalsIgnoreCase("Authorization")));
        context.connectorHeaders().forEach(headers::set);
    }

    @Override
    public List<HeaderRule> rules() {
        return List.of(
                HeaderRule.request(IMPERSONATE + "*", "dropped", "always"),
                HeaderRule.request(REMOTE + "*", "dropped", "always"),
                HeaderRule.request("Authorization", "dropped; the connector's credential is sent instead",
                        "the connection carries the gateway's identity (API-server mode)"),
                HeaderRule.request("(connector headers)", "set, replacing the client's of the same name", "always"));
    }
}
