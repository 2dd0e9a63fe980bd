package io.liteboxd.proxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application's servlet filter in front of the gateway, for the front ends where servlet filters see request
 * bodies: every servlet container, not Jetty's core front end, which relays before the servlet layer
 * (docs/limitations.md).
 */
public abstract class FilterInFrontContract extends GatewayContract {

    /**
     * A filter of the application read the body before the gateway (see {@link BodyReadingFilter}): the gateway
     * answers {@code 500 body_consumed} at once, never hangs waiting for bytes that are gone, and leaves the upstream
     * connection fit for the next request.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stream", "parameters", "reader", "first-byte"})
    void bodyReadByAFilterInFront_answersBodyConsumed_andLeavesTheUpstreamClean(String how) throws Exception {
        String method = how.equals("parameters") ? "POST" : "PUT";
        byte[] form = ("name=" + how + "&note=" + "x".repeat(2000)).getBytes(StandardCharsets.US_ASCII);
        List<String> headers = List.of("X-Access-Token: " + TOKEN, "Content-Type: application/x-www-form-urlencoded");
        try (Upstream sentinel = Upstream.start()) {
            String target = route(SANDBOX, sentinel.port(), "/echo/form");
            RawHttp.RawResponse refused = RawHttp.exchange(gateway, method, target,
                    concat(headers, BodyReadingFilter.HEADER + ": " + how), form);

            assertGatewayError(refused, 500, "body_consumed");
            // Where the container reports the stream finished (or taken as a reader), nothing is dialled. Parsed
            // parameters and a partly read body show only once the gateway reads: Jetty parses forms beneath the
            // servlet stream, which then still looks unread, and the request already started upstream is aborted.
            if (how.equals("stream") || how.equals("reader")) {
                assertThat(sentinel.acceptedConnections()).as("a body already gone is never announced upstream")
                        .isZero();
            }
            // The same request, its body left alone, on whatever upstream connection the gateway now holds.
            RawHttp.RawResponse next = RawHttp.exchange(gateway, method, target, headers, form);
            assertThat(next.status()).as(next.toString()).isEqualTo(200);
            JsonNode echo = json(next.body());
            assertThat(echo.path("method").asText()).isEqualTo(method);
            assertThat(echo.path("bodyBytes").asLong()).isEqualTo(form.length);
            assertThat(echo.path("body").asText()).isEqualTo(new String(form, StandardCharsets.US_ASCII));
        }
    }

    private static List<String> concat(List<String> lines, String line) {
        List<String> all = new ArrayList<>(lines);
        all.add(line);
        return all;
    }
}
