package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayArgsTest {

    private static GatewayOptions run(String... args) throws UsageException {
        GatewayArgs.Command command = GatewayArgs.parse(args);
        assertThat(command).isInstanceOf(GatewayArgs.Run.class);
        return ((GatewayArgs.Run) command).options();
    }

    @Test
    void noArgumentsMeansLoopbackDemoWithLibraryDefaults() throws Exception {
        GatewayOptions options = run();

        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(8080);
        assertThat(options.demoMode()).isTrue();
        assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void everyOptionIsApplied() throws Exception {
        GatewayOptions options = run("--listen", "0.0.0.0:9000", "--sandboxes", "/etc/liteboxd/sandboxes.json",
                "--request-timeout", "5s", "--ping-interval", "250ms", "--idle-timeout", "2m");

        assertThat(options).isEqualTo(new GatewayOptions("0.0.0.0", 9000, Path.of("/etc/liteboxd/sandboxes.json"),
                Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofMinutes(2)));
        assertThat(options.demoMode()).isFalse();
        assertThat(options.proxyConfig().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.proxyConfig().pingInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.proxyConfig().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void equalsFormIsAccepted() throws Exception {
        GatewayOptions options = run("--listen=localhost:0", "--idle-timeout=PT90S");

        assertThat(options.host()).isEqualTo("localhost");
        assertThat(options.port()).isZero();
        assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void bracketedIpv6ListenAddress() throws Exception {
        GatewayOptions options = run("--listen", "[::1]:8443");

        assertThat(options.host()).isEqualTo("::1");
        assertThat(options.port()).isEqualTo(8443);
    }

    @Test
    void zeroPingIntervalDisablesPings() throws Exception {
        assertThat(run("--ping-interval", "0").pingInterval()).isZero();
    }

    @Test
    void helpWinsWherever() throws Exception {
        assertThat(GatewayArgs.parse("--help")).isInstanceOf(GatewayArgs.Help.class);
        assertThat(GatewayArgs.parse("--listen", "127.0.0.1:1", "-h")).isInstanceOf(GatewayArgs.Help.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --verbose                                   | unknown option: --verbose
            --verbose=1                                 | unknown option: --verbose
            serve                                       | unexpected argument: serve
            -x                                          | unknown option: -x
            --listen                                    | --listen needs a value
            --listen=                                   | --listen needs a value
            --listen --sandboxes x.json                 | --listen needs a value
            --listen 8080                               | --listen: expected HOST:PORT, got 8080
            --listen :8080                              | --listen: missing host in :8080
            --listen localhost:http                     | --listen: port must be a number from 0 to 65535, got "http"
            --listen localhost:                         | --listen: port must be a number from 0 to 65535, got ""
            --listen localhost:65536                    | --listen: port must be a number from 0 to 65535, got 65536
            --listen localhost:-1                       | --listen: port must be a number from 0 to 65535, got "-1"
            --listen ::1:8080                           | --listen: put an IPv6 address in brackets, e.g. [::1]:8080
            --listen [::1]8080                          | --listen: expected [IPV6]:PORT, got [::1]8080
            --request-timeout soon                      | --request-timeout: not a duration: soon
            --request-timeout 0s                        | --request-timeout: must be longer than zero, got 0s
            --idle-timeout 10x                          | --idle-timeout: not a duration: 10x
            --ping-interval PT-5S                       | --ping-interval: must not be negative, got PT-5S
            --ping-interval 60s                         | --ping-interval (PT1M) must be shorter than --idle-timeout (PT1M) or zero
            --ping-interval 1m --idle-timeout 30s       | --ping-interval (PT1M) must be shorter than --idle-timeout (PT30S) or zero
            --listen a:1 --listen b:2                   | --listen given more than once
            --sandboxes a.json --sandboxes=b.json       | --sandboxes given more than once
            --path-routes browser                       | --path-routes: expected on, header-only or off, got browser
            --path-routes off                           | --path-routes=off needs a --base-domain
            --header-timeout soon                       | --header-timeout: not a duration: soon
            --max-connections many                      | --max-connections: expected a whole number, 0 for no limit
            --max-connections-per-ip -3                 | --max-connections-per-ip: expected a whole number
            """)
    void badCommandLinesNameTheProblem(String commandLine, String expectedMessage) {
        String[] args = commandLine.trim().split("\\s+");

        assertThatThrownBy(() -> GatewayArgs.parse(args))
                .isInstanceOf(UsageException.class)
                .message().startsWith(expectedMessage.trim()).doesNotContain("\n");
    }

    @Test
    void aSandboxesPathTheFileSystemCannotHoldIsAUsageError() {
        assertThatThrownBy(() -> GatewayArgs.parse("--sandboxes", "a\0.json"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--sandboxes: not a file path");
    }

    @Test
    void usageListsEveryOption() {
        assertThat(GatewayArgs.usage()).contains("--listen HOST:PORT", "--sandboxes FILE", "--request-timeout",
                "--ping-interval", "--idle-timeout", "--base-domain D", "--help", "127.0.0.1:8080");
    }

    @Test
    void pathRoutesAndLimits_areApplied_andDefaultToTheDocumentedValues() throws Exception {
        GatewayOptions defaults = run();
        assertThat(defaults.pathRoutes()).isEqualTo(io.liteboxd.proxy.config.ProxyConfig.PathRoutes.ON);
        assertThat(defaults.limits()).isEqualTo(LimitOptions.DEFAULTS);

        GatewayOptions options = run("--base-domain", "sandbox.test", "--path-routes", "header-only",
                "--header-timeout", "5s", "--max-connections", "0", "--max-connections-per-ip=7",
                "--max-websockets", "0", "--max-websockets-per-sandbox", "3");
        assertThat(options.proxyConfig().pathRoutes())
                .isEqualTo(io.liteboxd.proxy.config.ProxyConfig.PathRoutes.HEADER_ONLY);
        assertThat(options.limits()).isEqualTo(new LimitOptions(java.time.Duration.ofSeconds(5), 0, 7, 0, 3));
        assertThat(options.proxyConfig().maxConnections()).isZero();
        assertThat(options.proxyConfig().maxConnectionsPerSandbox()).isEqualTo(3);
        assertThat(run("--base-domain", "sandbox.test", "--path-routes", "off").pathRoutes())
                .isEqualTo(io.liteboxd.proxy.config.ProxyConfig.PathRoutes.OFF);
        assertThat(GatewayArgs.usage()).contains("--path-routes MODE", "--header-timeout DUR", "--max-connections N",
                "--max-connections-per-ip N", "--max-websockets N", "--max-websockets-per-sandbox N");
    }

    @Test
    void baseDomain_turnsOnHostStyleRoutes() throws Exception {
        GatewayOptions options = run("--base-domain", "Sandbox.Localhost");

        assertThat(options.baseDomain()).isEqualTo("Sandbox.Localhost");
        assertThat(options.proxyConfig().baseDomain()).isEqualTo("sandbox.localhost");
        assertThat(run().proxyConfig().hostRouting()).isFalse();
        assertThatThrownBy(() -> GatewayArgs.parse("--base-domain", "not a domain"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--base-domain");
    }
}
