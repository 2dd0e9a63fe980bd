package io.liteboxd.proxy.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GatewayCookiesTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final String SCOPE = "/api/v1/sandbox/abc/";

    private final GatewayCookies cookies = new GatewayCookies(KEY, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aSignedValue_opensToItsToken_onlyForItsSandboxAndScope_untilItExpires() {
        String value = cookies.sign("abc", SCOPE, "tok en;\u00e9");

        assertThat(value).matches("v1\\.[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]{43}");
        assertThat(cookies.open(value, "abc", SCOPE)).isEqualTo("tok en;\u00e9");
        assertThat(cookies.open(value, "abd", SCOPE)).as("other sandbox").isNull();
        assertThat(cookies.open(value, "abc", "/")).as("other scope").isNull();
        GatewayCookies later = new GatewayCookies(KEY, Clock.fixed(NOW.plus(GatewayCookies.LIFETIME), ZoneOffset.UTC));
        assertThat(later.open(value, "abc", SCOPE)).as("expired").isNull();
        GatewayCookies otherKey = new GatewayCookies(("x" + new String(KEY, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(otherKey.open(value, "abc", SCOPE)).as("other key").isNull();
    }

    @Test
    void theTokenOrTheExpiry_cannotBeEdited() {
        String value = cookies.sign("abc", SCOPE, "good");
        String[] parts = value.split("\\.");
        String otherToken = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("evil".getBytes());
        assertThat(cookies.open(parts[0] + "." + otherToken + "." + parts[2] + "." + parts[3], "abc", SCOPE)).isNull();
        assertThat(cookies.open(parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 3600) + "." + parts[3],
                "abc", SCOPE)).isNull();
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedValues_openToNothing_neverThrow(String bad) {
        assertThat(cookies.open(bad, "abc", SCOPE)).isNull();
    }

    static Stream<String> malformed() {
        String mac = "A".repeat(43);
        return Stream.of(null, "", ".", "...", "v1", "v1.", "v1...", "v1.Z29vZA..", "v1.Z29vZA.1893456000",
                "v1.Z29vZA.1893456000.", "v1.Z29vZA.9999999999999999999." + mac, "v1.Z29vZA.-1." + mac,
                "v2.Z29vZA.1893456000." + mac, "v1.Z29vZA.1893456000." + mac, "v1.!!!.1893456000." + mac,
                "v1.Z29vZA.1893456000.\u2713" + mac, "v1." + "A".repeat(100_000) + ".1893456000." + mac, "good",
                "v1.Z29vZA.18934560\u0661\u0662." + mac);
    }

    @Test
    void shortKeysAreRefused_andTheProcessKeyIsStable() {
        assertThatThrownBy(() -> new GatewayCookies("short")).isInstanceOf(IllegalArgumentException.class);
        assertThat(GatewayCookies.processKey()).hasSize(32).isEqualTo(GatewayCookies.processKey());
        String value = GatewayCookies.of(null).sign("abc", SCOPE, "t");
        assertThat(GatewayCookies.of(null).open(value, "abc", SCOPE)).isEqualTo("t");
    }
}
