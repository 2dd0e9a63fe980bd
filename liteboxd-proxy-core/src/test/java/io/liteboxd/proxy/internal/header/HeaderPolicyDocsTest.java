package io.liteboxd.proxy.internal.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The header table in {@code docs/security.md} is the policy's own list of rules, row for row. */
class HeaderPolicyDocsTest {

    private static final String BEGIN = "<!-- header-policy:begin -->";
    private static final String END = "<!-- header-policy:end -->";

    @Test
    void securityDocsShowEveryRuleOfThePolicy() throws IOException {
        String expected = "| header | direction | what the gateway does | when |\n|---|---|---|---|\n"
                + HeaderPolicy.of(ProxyConfig.defaults()).rules().stream().map(HeaderRule::markdown)
                        .collect(Collectors.joining("\n"));
        String docs = Files.readString(Path.of("..", "docs", "security.md"));
        int begin = docs.indexOf(BEGIN);
        int end = docs.indexOf(END);
        assertThat(begin).as("docs/security.md must hold the table between " + BEGIN + " and " + END)
                .isNotNegative();
        String table = docs.substring(begin + BEGIN.length(), end).trim();
        assertThat(table).as("docs/security.md header table; regenerate it from HeaderPolicy.rules():%n%s", expected)
                .isEqualTo(expected);
    }
}
