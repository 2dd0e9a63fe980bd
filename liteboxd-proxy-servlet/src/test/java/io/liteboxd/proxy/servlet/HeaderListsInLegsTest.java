package io.liteboxd.proxy.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import io.liteboxd.proxy.internal.header.HeaderRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No relay or exchange class keeps a header-name list of its own: which headers cross the gateway is the
 * {@link HeaderPolicy}'s business alone. A collection or array literal naming two or more headers the policy has a
 * rule for (as strings or as Jetty {@code HttpHeader} constants) is such a list.
 */
class HeaderListsInLegsTest {

    private static final Pattern LITERAL = Pattern.compile(
            "(?:Set|List|EnumSet|Arrays\\.asList|Stream)\\s*\\.\\s*of\\s*\\(([^;]*?)\\)|\\{([^{};]*?)\\}");
    private static final Pattern STRING = Pattern.compile("\"([A-Za-z0-9-]+)\"");
    private static final Pattern CONSTANT = Pattern.compile("HttpHeader\\.([A-Z0-9_]+)");

    private static final Set<String> GOVERNED = HeaderPolicy.of(ProxyConfig.defaults()).rules().stream()
            .flatMap(rule -> rule.names().stream()).map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());

    @Test
    void noLegListsHeaderNames() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : (Iterable<Path>) sources.filter(p -> p.toString().endsWith(".java"))::iterator) {
                lists(Files.readString(file)).forEach(list -> offenders.add(file + ": " + list));
            }
        }
        assertThat(offenders).as("header-name lists outside HeaderPolicy").isEmpty();
    }

    @Test
    void theCheckFindsTheListsLegsUsedToKeep() {
        assertThat(lists("private static final Set<HttpHeader> HOP_BY_HOP = EnumSet.of(HttpHeader.CONNECTION,"
                + " HttpHeader.KEEP_ALIVE, HttpHeader.TRAILER);")).hasSize(1);
        assertThat(lists("private static final String[] NOT_COPIED = {\"connection\", \"keep-alive\", \"host\"};"))
                .hasSize(1);
        assertThat(lists("headers.put(HttpHeader.UPGRADE, \"websocket\"); List.of(\"a\", \"b\");")).isEmpty();
    }

    /** The collection and array literals in {@code code} that name two or more headers the policy governs. */
    static List<String> lists(String code) {
        List<String> found = new ArrayList<>();
        Matcher literal = LITERAL.matcher(code);
        while (literal.find()) {
            String body = literal.group(1) != null ? literal.group(1) : literal.group(2);
            List<String> names = new ArrayList<>();
            Matcher s = STRING.matcher(body);
            while (s.find()) {
                names.add(s.group(1).toLowerCase(Locale.ROOT));
            }
            Matcher c = CONSTANT.matcher(body);
            while (c.find()) {
                names.add(c.group(1).replace('_', '-').toLowerCase(Locale.ROOT));
            }
            if (names.stream().filter(GOVERNED::contains).count() >= 2) {
                found.add(body.strip().replaceAll("\\s+", " "));
            }
        }
        return found;
    }
}
