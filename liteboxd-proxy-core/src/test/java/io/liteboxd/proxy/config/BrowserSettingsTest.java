package io.liteboxd.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The browser, prefix and host-routing settings of {@link ProxyConfig}. */
class BrowserSettingsTest {

    @Test
    void defaults() {
        ProxyConfig c = ProxyConfig.defaults();
        assertThat(c.browserAuth()).isTrue();
        assertThat(c.allowedOrigins()).containsExactly("self");
        assertThat(c.rewriteLocation()).isTrue();
        assertThat(c.scopeCookies()).isTrue();
        assertThat(c.baseDomain()).isNull();
        assertThat(c.hostRouting()).isFalse();
        assertThat(c.trustForwardedHost()).isFalse();
    }

    @Test
    void fromInitParamsAndEnvironment() {
        Map<String, String> params = Map.of("allowedOrigins", "self, https://IDE.example.com:443 ,http://l:3000",
                "rewriteLocation", "false");
        Map<String, String> env = Map.of("LITEBOXD_BASE_DOMAIN", "Sandbox.Example.com.",
                "LITEBOXD_TRUST_FORWARDED_HOST", "yes", "LITEBOXD_SCOPE_COOKIES", "off",
                "LITEBOXD_BROWSER_AUTH", "0", "LITEBOXD_REWRITE_LOCATION", "true");
        ProxyConfig c = ProxyConfig.from(params::get, env);
        assertThat(c.allowedOrigins()).containsExactly("self", "https://ide.example.com", "http://l:3000");
        assertThat(c.rewriteLocation()).isFalse();
        assertThat(c.baseDomain()).isEqualTo("sandbox.example.com");
        assertThat(c.hostRouting()).isTrue();
        assertThat(c.trustForwardedHost()).isTrue();
        assertThat(c.scopeCookies()).isFalse();
        assertThat(c.browserAuth()).isFalse();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://x", "https://x/path", "x.example.com", "https://", "https://u@x"})
    void badOriginsAreRefusedNamingTheSetting(String origin) {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("allowedOrigins", origin)::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", "under_score.example", "-x.example", "x y"})
    void badBaseDomainsAreRefused(String domain) {
        assertThatThrownBy(() -> ProxyConfig.builder().baseDomain(domain))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseDomain");
    }

    @Test
    void shareLinkSecret_isValidated_andNeverPrinted() {
        String secret = "0123456789abcdef0123456789abcdef";
        ProxyConfig c = ProxyConfig.from(k -> null, Map.of("LITEBOXD_SHARE_LINK_SECRET", secret));
        assertThat(c.shareLinkSecret()).isEqualTo(secret);
        assertThat(c.toString()).contains("shareLinks=on").doesNotContain(secret);
        assertThat(ProxyConfig.defaults().shareLinkSecret()).isNull();
        assertThatThrownBy(() -> ProxyConfig.builder().shareLinkSecret("too short"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shareLinkSecret");
    }

    @Test
    void cookieSecret_fromInitParamOrEnvironment_isValidated_andNeverPrinted() {
        String secret = "cookie-secret-0123456789abcdef-0123";
        ProxyConfig c = ProxyConfig.from(k -> null, Map.of("LITEBOXD_COOKIE_SECRET", secret));
        assertThat(c.cookieSecret()).isEqualTo(secret);
        assertThat(c.toString()).contains("cookieSecret=set").doesNotContain(secret);
        assertThat(ProxyConfig.from(Map.of("cookieSecret", secret)::get, Map.of()).cookieSecret()).isEqualTo(secret);
        assertThat(c.toBuilder().build().cookieSecret()).isEqualTo(secret);
        assertThat(ProxyConfig.defaults().cookieSecret()).isNull();
        assertThat(ProxyConfig.defaults().toString()).contains("cookieSecret=random");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("cookieSecret", "too short")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cookieSecret");
    }

    @Test
    void badBooleanNamesTheSetting() {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("scopeCookies", "maybe")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scopeCookies");
        assertThat(ProxyConfig.builder().allowedOrigins(List.of()).build().allowedOrigins()).isEmpty();
    }
}
