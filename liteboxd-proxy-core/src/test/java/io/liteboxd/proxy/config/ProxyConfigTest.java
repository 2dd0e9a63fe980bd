package io.liteboxd.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.internal.config.Durations;
import io.liteboxd.proxy.internal.config.Sizes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyConfigTest {

    @Test
    void hasDocumentedDefaults() {
        ProxyConfig c = ProxyConfig.defaults();
        assertThat(c.routePrefix()).isEqualTo("/api/v1/sandbox");
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxMessageSize()).isEqualTo(128L << 20);
        assertThat(c.clientThreads()).isEqualTo(64);
        assertThat(c.webSocketRelay()).isEqualTo(ProxyConfig.WebSocketRelay.AUTO);
    }

    @Test
    void theRemovedHttpRelaySettingIsIgnored() {
        // A deployment that still sets it starts (with a WARN) and runs the one HTTP relay.
        assertThat(ProxyConfig.from(Map.of("httpRelay", "proxy-servlet")::get, Map.of()).toString())
                .doesNotContain("httpRelay");
        assertThat(ProxyConfig.from(k -> null, Map.of("LITEBOXD_HTTP_RELAY", "auto"))).isNotNull();
    }

    @Test
    void unknownRelaysAreRefusedWithTheChoices() {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("webSocketRelay", "fast")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto or jakarta");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("webSocketRelay", "frames")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto or jakarta")
                .hasMessageContaining("frame relay was removed");
    }

    @Test
    void initParamsWinOverEnvironmentWhichWinsOverDefaults() {
        Map<String, String> params = Map.of("requestTimeout", "5s", "maxMessageSize", "1MiB");
        Map<String, String> env = Map.of("LITEBOXD_REQUEST_TIMEOUT", "9s", "LITEBOXD_PING_INTERVAL", "250ms",
                "LITEBOXD_ROUTE_PREFIX", "/sbx", "LITEBOXD_CLIENT_THREADS", "16");
        ProxyConfig c = ProxyConfig.from(params::get, env);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxMessageSize()).isEqualTo(1L << 20);
        assertThat(c.routePrefix()).isEqualTo("/sbx");
        assertThat(c.clientThreads()).isEqualTo(16);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void malformedValuesNameTheSetting() {
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("idleTimeout", "soon")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> ProxyConfig.from(k -> null, Map.of("LITEBOXD_MAX_MESSAGE_SIZE", "big")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageSize");
        assertThatThrownBy(() -> ProxyConfig.from(Map.of("clientThreads", "x")::get, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientThreads");
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> ProxyConfig.builder().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyConfig.builder().maxMessageSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyConfig.builder().routePrefix("api")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyConfig.builder().pingInterval(Duration.ofSeconds(60))
                .idleTimeout(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pingInterval");
        assertThat(ProxyConfig.builder().pingInterval(Duration.ZERO).build().pingInterval()).isZero();
        assertThat(ProxyConfig.builder().clientThreads(0).build().clientThreads()).as("the container's pool").isZero();
        assertThatThrownBy(() -> ProxyConfig.builder().clientThreads(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientThreads");
    }

    @ParameterizedTest
    @CsvSource({"250ms,250", "30s,30000", "30,30000", "5m,300000", "1h,3600000", "PT2S,2000", " 7s ,7000"})
    void parsesDurations(String text, long millis) {
        assertThat(Durations.parse(text).toMillis()).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-5s", "5 weeks", "5d", "1.5s", "P-x"})
    void refusesBadDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"65536,65536", "64KiB,65536", "16MiB,16777216", "1g,1073741824", "10b,10", "2 MB,2097152"})
    void parsesSizes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "1TiB", "1.5MiB", "99999999999999999999"})
    void refusesBadSizes(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
