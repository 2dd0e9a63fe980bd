package io.liteboxd.proxy.testkit;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.resolve.SandboxResolver;

/**
 * Everything a container module needs to build its {@code ProxyServlet}:
 * {@code new ProxyServlet(s.config(), s.authenticator(), s.resolver(), s.connector())}.
 *
 * <p>Kept to core types so that this kit never puts {@code jakarta.servlet} on a container's test classpath. The
 * authenticator and the resolver are separate on purpose: the authenticator also accepts a token for a sandbox the
 * resolver does not know, which is how a "valid token, unknown sandbox" (404) is produced.
 */
public record GatewaySetup(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                           UpstreamConnector connector) {
}
