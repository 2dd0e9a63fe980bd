package io.liteboxd.proxy.internal.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.RouteStyle;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrailerPolicyTest {

    private final HeaderPolicy policy = HeaderPolicy.of(ProxyConfig.defaults());

    private static HeaderContext context(UpstreamTarget target) {
        SandboxRoute route = new SandboxRoute("/api/v1/sandbox", "sb1", 8000, "/x", null, RouteStyle.PATH);
        Admission admission = new Admission(route, Sandbox.ready("sb1", "10.1.2.3"), target, TokenSource.HEADER, null,
                null, false, false);
        return new HeaderContext(admission, "/api/v1/sandbox/sb1/port/8000", "10.0.0.9", true, "gw.example:8443",
                8443, "req-1", "HTTP/1.1", false);
    }

    private static HeaderBlock block(String... fields) {
        HeaderBlock block = new HeaderBlock();
        for (int i = 0; i < fields.length; i += 2) {
            block.add(fields[i], fields[i + 1]);
        }
        return block;
    }

    @Test
    void requestTrailers_keepWhatAHeaderCouldCarry_andNothingIsAdded() {
        HeaderBlock out = TrailerPolicy.request(policy, block("X-Checksum", "abc", "X-Access-Token", "secret",
                "Cookie", "liteboxd_token=secret", "Content-Length", "9", "Connection", "close",
                "X-Forwarded-For", "6.6.6.6", "Grpc-Status", "0"),
                context(new UpstreamTarget(URI.create("http://10.1.2.3:8000/x"))));

        assertThat(out.toMap()).isEqualTo(Map.of("X-Checksum", List.of("abc"), "Grpc-Status", List.of("0")));
    }

    @Test
    void requestTrailers_inApiServerMode_carryNoIdentity() {
        UpstreamTarget apiServer = new UpstreamTarget(URI.create("https://api:6443/x"),
                Map.of("Impersonate-User", "system:serviceaccount:x"), true);
        HeaderBlock out = TrailerPolicy.request(policy, block("Impersonate-User", "system:serviceaccount:x",
                "Authorization", "Bearer client", "X-Ok", "1"), context(apiServer));

        assertThat(out.toMap()).isEqualTo(Map.of("X-Ok", List.of("1")));
    }

    @Test
    void responseTrailers_dropCookiesAndFraming() {
        HeaderBlock out = TrailerPolicy.response(policy, block("X-Sum", "42", "Set-Cookie", "a=b", "Trailer", "X",
                "Server-Timing", "db;dur=5"), context(new UpstreamTarget(URI.create("http://10.1.2.3:8000/x"))));

        assertThat(out.toMap()).isEqualTo(Map.of("X-Sum", List.of("42"), "Server-Timing", List.of("db;dur=5")));
    }

    @Test
    void announcedNames_leaveOutWhatCannotBeATrailer() {
        assertThat(TrailerPolicy.announced("X-Sum, Set-Cookie,Content-Length , grpc-status"))
                .isEqualTo("X-Sum, grpc-status");
        assertThat(TrailerPolicy.announced("Set-Cookie")).isNull();
    }
}
