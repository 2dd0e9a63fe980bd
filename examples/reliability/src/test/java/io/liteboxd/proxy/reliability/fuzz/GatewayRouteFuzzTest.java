package io.liteboxd.proxy.reliability.fuzz;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import io.liteboxd.proxy.reliability.support.ErrorBodies;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The route fuzzer end to end: seeded random request targets, with a valid token, over raw sockets to the gateway
 * in the passthrough URI profile (Jetty lets every ambiguous path through, so the library alone decides). Whatever
 * Jetty or the library answers, it is never a 101, a 500 or a trace, never a hang; and every request that does reach
 * the upstream carries exactly the raw sandbox path the route parser admitted, which cannot climb out of the
 * sandbox root once decoded.
 */
class GatewayRouteFuzzTest {

    static final int REQUESTS = Integer.getInteger("fuzz.requests", 1000);

    @Test
    void randomTargetsNeverEscapeTheSandboxOrBreakTheGateway() throws Exception {
        try (Upstream upstream = Upstream.start();
             Gateway gateway = Gateway.builder().sandboxes(TestSandboxes.create(1))
                     .uriProfile(Gateway.UriProfile.PASSTHROUGH).start()) {
            RouteGenerator gen = new RouteGenerator(Long.getLong("fuzz.seed", 7));
            List<String> failures = new ArrayList<>();
            int reached = 0;
            int byJetty = 0;
            for (int i = 0; i < REQUESTS && failures.size() < 10; i++) {
                // Aim every request at the live upstream, so that anything admitted really arrives there.
                String target = gen.path().replaceFirst("^(/api/v1/sandbox/sbx-main/port/)[^/]*",
                        "$1" + upstream.port());
                int before = upstream.requests();
                RawHttp.RawResponse r = RawHttp.exchange(gateway.port(), RawHttp.Request.get(target).token(TOKEN));
                String where = RouteProperties.escape(target) + " -> " + r.status();
                try {
                    assertThat(r.status()).isNotIn(101, 500);
                    ErrorBodies.assertNoTrace(r);
                } catch (AssertionError e) {
                    failures.add(where + ": " + e.getMessage());
                    continue;
                }
                String type = r.header("content-type");
                if (r.status() >= 400 && (type == null || !type.startsWith("application/json"))) {
                    byJetty++;
                }
                if (upstream.requests() == before) {
                    if (r.status() / 100 == 2) {
                        failures.add(where + ": a 2xx without reaching the upstream");
                    }
                    continue;
                }
                reached++;
                String got = upstream.requestPaths().get(upstream.requestPaths().size() - 1);
                String admitted = admittedPath(target);
                if (admitted == null) {
                    failures.add(where + ": reached the upstream as " + got + " but the route parser refuses it");
                } else if (!got.equals(admitted)) {
                    failures.add(where + ": the upstream got " + got + " instead of the admitted " + admitted);
                } else if (RouteProperties.climbs(RouteProperties.decode(got))) {
                    failures.add(where + ": the upstream got " + got + ", which climbs out once decoded");
                }
            }
            System.out.printf("[fuzz] gateway: %d requests, %d reached the upstream, %d answered by Jetty%n",
                    REQUESTS, reached, byJetty);
            assertThat(failures).isEmpty();
            assertThat(reached).as("requests that reached the upstream (the property needs some)")
                    .isGreaterThan(REQUESTS / 20);
        }
    }

    private static String admittedPath(String target) {
        int q = target.indexOf('?');
        try {
            SandboxRoute route = new RouteParser(RouteProperties.PREFIX)
                    .parse(q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1));
            return route.path();
        } catch (ProxyException e) {
            return null;
        }
    }
}
