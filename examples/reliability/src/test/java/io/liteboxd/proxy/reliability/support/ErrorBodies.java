package io.liteboxd.proxy.reliability.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.testkit.RawHttp;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** Assertions on the gateway's JSON refusals and on what no refusal may ever look like. */
public final class ErrorBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fragments that only appear when an exception or a container's debug page leaks into a response. */
    private static final List<String> TRACE_MARKERS = List.of("\tat ", "at org.", "at java.", "at io.liteboxd",
            "Exception", "Caused by", "<pre>", "stacktrace", "stack trace");

    private ErrorBodies() {
    }

    /** The gateway's own refusal: exactly {@code {"error","code","status"}} with these values, as JSON. */
    public static void assertJsonError(RawHttp.RawResponse r, int status, String code) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.header("content-type")).as("content type of %s", r).startsWith("application/json");
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("body is not JSON: " + r, e);
        }
        assertThat(body.isObject()).as("JSON object: %s", r).isTrue();
        List<String> fields = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("fields of %s", r).containsExactlyInAnyOrder("error", "code", "status");
        assertThat(body.get("code").asText()).as("code of %s", r).isEqualTo(code);
        assertThat(body.get("status").asInt()).as("status field of %s", r).isEqualTo(status);
        assertThat(body.get("error").asText()).as("message of %s", r).isNotBlank();
        assertNoTrace(r);
    }

    /** What must hold for every answer to hostile input, whoever produced it. */
    public static void assertSafeRefusal(RawHttp.RawResponse r) {
        assertThat(r.status()).as("never a 101 for bad input: %s", r).isNotEqualTo(101);
        assertThat(r.status()).as("never a 500 for bad input: %s", r).isNotEqualTo(500);
        assertThat(r.status() / 100).as("never a 2xx for bad input: %s", r).isNotEqualTo(2);
        assertNoTrace(r);
    }

    public static void assertNoTrace(RawHttp.RawResponse r) {
        String body = r.bodyText();
        for (String marker : TRACE_MARKERS) {
            assertThat(body.toLowerCase(Locale.ROOT)).as("no stack trace in the body of %s", r)
                    .doesNotContain(marker.toLowerCase(Locale.ROOT));
        }
    }
}
