package io.liteboxd.proxy.reliability.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the route parser and the header policy with Jazzer. In a normal build ({@code mvn
 * verify}) these methods only replay the inputs stored under {@code RouteParserJazzerTestInputs/}; to fuzz, run
 * {@code JAZZER_FUZZ=1 mvn -f examples/reliability/pom.xml test -Dtest=RouteParserJazzerTest} and copy what it finds
 * into {@code fuzz/route-corpus.tsv}. Same properties as {@link RouteParserFuzzTest} ({@link RouteProperties}).
 */
class RouteParserJazzerTest {

    /** Input bytes (ISO-8859-1) after a valid prefix, id and port; a 0x01 byte splits off the query. */
    @FuzzTest(maxDuration = "60s")
    void routeParser(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        int split = text.indexOf('\u0001');
        String path = RouteProperties.PREFIX + "/sbx-main/port/8080" + (split < 0 ? text : text.substring(0, split));
        String query = split < 0 ? null : text.substring(split + 1);
        String broken = RouteProperties.check(path, query);
        if (broken != null) {
            throw new AssertionError(RouteProperties.escape(path) + " -> " + broken);
        }
    }

    /** Input bytes as a header name, then (after 0x01) Connection values separated by 0x02. */
    @FuzzTest(maxDuration = "60s")
    void headerPolicy(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        int split = text.indexOf('\u0001');
        String name = split < 0 ? text : text.substring(0, split);
        List<String> connection = split < 0 ? List.of() : Arrays.asList(text.substring(split + 1).split("\u0002"));
        HeaderBlock request = new HeaderBlock();
        if (!name.isEmpty()) {
            request.add(name, "v");
        }
        connection.forEach(c -> request.add("Connection", c));
        HeaderPolicyFuzzTest.POLICY.request(request, HeaderPolicyFuzzTest.CONTEXT);
        if (name.equalsIgnoreCase("x-access-token") && request.contains(name)) {
            throw new AssertionError("forwards the gateway credential " + name);
        }
        for (String value : connection) {
            for (String token : value.split(",")) {
                String t = token.trim();
                // The headers the gateway sets on its own hop are its own, whatever the client's Connection says.
                if (!t.isEmpty() && !t.toLowerCase(java.util.Locale.ROOT).matches("via|x-forwarded-.*|x-request-id")
                        && request.contains(t)) {
                    throw new AssertionError("forwards " + t + " although Connection names it");
                }
            }
        }
        HeaderPolicy.isWebSocketUpgrade(connection, connection);
    }
}
