package io.liteboxd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ShareLinksTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private final ShareLinks links = new ShareLinks(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aSignedLinkOpensExactlyItsSandboxAndPort_untilItExpires() {
        String value = links.sign("abc", 8000, Duration.ofMinutes(10));

        assertThat(value).matches("\\d+\\.[A-Za-z0-9_-]{43}");
        assertThat(links.verify(value, "abc", 8000)).isTrue();
        assertThat(links.verify(value, "abd", 8000)).as("other sandbox").isFalse();
        assertThat(links.verify(value, "abc", 8001)).as("other port").isFalse();
        ShareLinks later = new ShareLinks(SECRET, Clock.fixed(NOW.plus(Duration.ofMinutes(10)), ZoneOffset.UTC));
        assertThat(later.verify(value, "abc", 8000)).as("expired").isFalse();
        ShareLinks otherSecret = new ShareLinks("x" + SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(otherSecret.verify(value, "abc", 8000)).as("other secret").isFalse();
        assertThat(ShareLinks.secondsLeft(value, Clock.fixed(NOW, ZoneOffset.UTC))).isEqualTo(600);
    }

    @Test
    void aLinkCannotBeExtended_byEditingItsExpiry() {
        String value = links.sign("abc", 8000, Duration.ofMinutes(1));
        String extended = (Long.parseLong(value.substring(0, value.indexOf('.'))) + 3600)
                + value.substring(value.indexOf('.'));

        assertThat(links.verify(extended, "abc", 8000)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedValues_areRefused_neverThrow(String bad) {
        assertThat(links.verify(bad, "abc", 8000)).isFalse();
        assertThat(ShareLinks.secondsLeft(bad, Clock.fixed(NOW, ZoneOffset.UTC))).isNotNegative();
    }

    static Stream<String> malformed() {
        String signature = "A".repeat(43);
        return Stream.of(null, "", ".", "..", "...", "abc.def", "-1.x", "+1.x", "1e9.x", " 1.x",
                "9999999999999999999.AAAA", "99999999999999999999.x", "9223372036854775807.x",
                "9223372036854775808." + signature, "123", "123.", ".abc", "1.2.3", "\u0661\u0662.x",
                "1893456000.caf\u00e9", "1893456000.\u2713" + signature, "1893456000." + "A".repeat(100_000),
                "9".repeat(100_000) + ".x", "1893456000\u0000.x", "0.x");
    }

    @Test
    void shortSecretsAndTtlsAreRefused() {
        assertThatThrownBy(() -> new ShareLinks("short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> links.sign("abc", 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
