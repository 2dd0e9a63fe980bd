package io.liteboxd.gateway;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;

/** HTTP settings shared by the gateway and the demo sandbox. */
final class PassthroughHttp {

    /**
     * Jetty's default compliance rejects ambiguous paths ({@code %2F}, {@code %25}, {@code %2e} segments, {@code //},
     * {@code ;} parameters) with 400 before any handler runs. The gateway forwards the raw path byte for byte and the
     * library's route parser refuses paths that would climb out of the sandbox, so these must reach it. Malformed
     * URIs (bad percent-encoding, illegal characters, bad UTF-8) stay rejected: they cannot be forwarded as a URI.
     */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("LITEBOXD_PASSTHROUGH",
            UriCompliance.AMBIGUOUS_VIOLATIONS.toArray(new UriCompliance.Violation[0]));

    private PassthroughHttp() {
    }

    static HttpConfiguration configuration() {
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(URI_COMPLIANCE);
        // Version banners only help someone scanning for vulnerable servers.
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        return http;
    }
}
