package io.liteboxd.proxy.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random inputs against {@link RouteProperties}. Fixed seeds keep CI reproducible; a longer exploration is
 * {@code -Dfuzz.seed=N -Dfuzz.iterations=M}. A failure prints the escaped inputs, ready to paste into
 * {@code fuzz/route-corpus.tsv}.
 */
class RouteParserFuzzTest {

    static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 40_000);

    static LongStream seeds() {
        Long extra = Long.getLong("fuzz.seed");
        return extra != null ? LongStream.of(extra) : LongStream.of(1, 2, 3);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyInputIsRefusedCleanlyOrYieldsASafeRoute(long seed) {
        RouteGenerator gen = new RouteGenerator(seed);
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < ITERATIONS && failures.size() < 10; i++) {
            String path = gen.path();
            String query = gen.query();
            String broken = RouteProperties.check(path, query);
            if (broken != null) {
                failures.add(RouteProperties.escape(path) + "\t" + (query == null ? "\\N" : RouteProperties.escape(query))
                        + "\t-> " + broken);
            }
            if (broken == null && RouteProperties.checkDoubleDecoding(path, query) == null && accepts(path, query)) {
                accepted++;
            }
        }
        System.out.printf("[fuzz] route parser, seed %d: %d inputs, %d accepted%n", seed, ITERATIONS, accepted);
        assertThat(failures).as("inputs breaking a property").isEmpty();
        // The generator must reach the accepting side too, or the properties of accepted routes go untested.
        assertThat(accepted).as("accepted inputs").isGreaterThan(ITERATIONS / 20);
    }

    /** The documented double-decoding guard, over the same inputs. */
    @Test
    void noAcceptedRouteClimbsOutWhenDecodedTwice() {
        List<String> failures = new ArrayList<>();
        seeds().forEach(seed -> {
            RouteGenerator gen = new RouteGenerator(seed);
            for (int i = 0; i < ITERATIONS && failures.size() < 10; i++) {
                String path = gen.path();
                String query = gen.query();
                if (RouteProperties.checkDoubleDecoding(path, query) != null) {
                    failures.add(RouteProperties.escape(path));
                }
            }
        });
        assertThat(failures).as("accepted paths that climb out after two decodings").isEmpty();
    }

    private static boolean accepts(String path, String query) {
        try {
            new io.liteboxd.proxy.internal.route.RouteParser(RouteProperties.PREFIX).parse(path, query);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
