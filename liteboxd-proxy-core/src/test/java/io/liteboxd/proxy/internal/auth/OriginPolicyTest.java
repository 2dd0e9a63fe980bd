package io.liteboxd.proxy.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OriginPolicyTest {

    private final OriginPolicy self = new OriginPolicy(ProxyConfig.defaults().allowedOrigins());

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "http://127.0.0.1:8080|127.0.0.1:8080|true",
            "https://gw.example.com|gw.example.com|true",
            "http://gw.example.com|gw.example.com|true",
            "https://gw.example.com|gw.example.com:443|true",
            "https://GW.example.com|gw.EXAMPLE.com|true",
            "http://[::1]:8080|[::1]:8080|true",
            "http://127.0.0.1:3000|127.0.0.1:8080|false",
            "https://gw.example.com|gw.example.com:80|false",
            "http://evil.example|gw.example.com|false",
            "http://gw.example.com.evil.example|gw.example.com|false",
            "null|gw.example.com|false",
            "NULL|gw.example.com|false",
            "http://gw.example.com|NULL|false",
            "http://gw.example.com|user@gw.example.com|false",
            "file://gw.example.com|gw.example.com|false",
    })
    void self(String origin, String host, boolean allowed) {
        assertThat(self.allows(origin, host)).isEqualTo(allowed);
    }

    @Test
    void explicitList_withoutSelf() {
        List<String> allowed = ProxyConfig.builder().allowedOrigins(List.of("https://ide.example.com:443",
                "http://localhost:3000")).build().allowedOrigins();
        OriginPolicy p = new OriginPolicy(allowed);
        assertThat(p.allows("https://ide.example.com", "gw.example.com")).isTrue();
        assertThat(p.allows("http://localhost:3000", "gw.example.com")).isTrue();
        assertThat(p.allows("https://gw.example.com", "gw.example.com")).as("self not listed").isFalse();
        assertThat(p.allows("http://ide.example.com", "gw.example.com")).as("scheme matters").isFalse();
    }

    @Test
    void applies_toEveryWebSocket_andToUnsafeHttpWithOrigin() {
        assertThat(OriginPolicy.applies(true, "GET", null)).isTrue();
        assertThat(OriginPolicy.applies(false, "POST", "http://x")).isTrue();
        assertThat(OriginPolicy.applies(false, "delete", "http://x")).isTrue();
        assertThat(OriginPolicy.applies(false, "POST", null)).isFalse();
        assertThat(OriginPolicy.applies(false, "GET", "http://x")).isFalse();
        assertThat(OriginPolicy.applies(false, "HEAD", "http://x")).isFalse();
    }
}
