package io.liteboxd.proxy.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The route corpus as tests: each line of {@code fuzz/route-corpus.tsv} is replayed with its expected outcome
 * (accepted or refused) and every {@link RouteProperties} property. New interesting inputs found by
 * {@link RouteParserFuzzTest} (or by Jazzer) go into the file and stay tests from then on.
 */
class RouteCorpusTest {

    record Entry(boolean accept, String path, String query) {
        @Override
        public String toString() {
            return (accept ? "accept " : "refuse ") + RouteProperties.escape(path)
                    + (query == null ? "" : "?" + RouteProperties.escape(query));
        }
    }

    static Stream<Arguments> corpus() throws IOException {
        return read("/fuzz/route-corpus.tsv").stream().map(Arguments::of);
    }

    static Stream<Arguments> doubleDecodingCorpus() throws IOException {
        return read("/fuzz/route-corpus-double-decoding.tsv").stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusEntryHasItsOutcomeAndEveryProperty(Entry e) {
        assertThat(RouteProperties.check(e.path(), e.query())).as("properties").isNull();
        assertThat(accepted(e)).as("accepted?").isEqualTo(e.accept());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doubleDecodingCorpus")
    void doubleDecodingCorpusIsRefused(Entry e) {
        assertThat(accepted(e)).as("accepted?").isEqualTo(e.accept());
    }

    private static boolean accepted(Entry e) {
        try {
            new RouteParser(RouteProperties.PREFIX).parse(e.path(), e.query());
            return true;
        } catch (ProxyException refused) {
            return false;
        }
    }

    static List<Entry> read(String resource) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = RouteCorpusTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing corpus " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 3 || !(f[0].equals("ACCEPT") || f[0].equals("REJECT"))) {
                    throw new IOException("bad corpus line in " + resource + ": " + line);
                }
                entries.add(new Entry(f[0].equals("ACCEPT"), RouteProperties.unescape(f[1]),
                        f[2].equals("\\N") ? null : RouteProperties.unescape(f[2])));
            }
        }
        return entries;
    }
}
