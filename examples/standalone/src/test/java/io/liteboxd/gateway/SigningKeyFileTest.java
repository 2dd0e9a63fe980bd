package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.liteboxd.proxy.auth.ShareLinks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --signing-key-file}: one key, read from a file (a mounted Secret), signs cookies and share links, so that
 * replicas given the same file accept each other's; a missing, empty or short key stops the start with one line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SigningKeyFileTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef-shared";

    @TempDir
    Path dir;

    @Test
    void flagsAreParsed() throws Exception {
        GatewayArgs.Run run = (GatewayArgs.Run) GatewayArgs.parse("--admin-port", "9090", "--signing-key-file",
                "/etc/liteboxd/signing/key");
        assertThat(run.options().deploy()).isEqualTo(new DeployOptions(9090, Path.of("/etc/liteboxd/signing/key")));
        assertThat(((GatewayArgs.Run) GatewayArgs.parse()).options().deploy()).isEqualTo(DeployOptions.NONE);
    }

    @Test
    void badFlags_areUsageErrors() {
        assertThat(usageError("--admin-port", "http")).isEqualTo("--admin-port: port must be a number from 0 to"
                + " 65535, got \"http\"");
        assertThat(usageError("--admin-port", "70000")).contains("--admin-port: port must be a number");
        assertThat(usageError("--listen", "127.0.0.1:9090", "--admin-port", "9090"))
                .isEqualTo("--admin-port must differ from the --listen port: 9090");
        assertThat(usageError("--signing-key-file")).isEqualTo("--signing-key-file needs a value");
    }

    @Test
    void missingShortOrEmptyKey_stopsTheStartWithOneLine() throws Exception {
        Path missing = dir.resolve("nope");
        assertThat(startError(missing)).isEqualTo("cannot read the signing key: " + missing + ": no such file");
        Path shortKey = Files.writeString(dir.resolve("short"), "too-short\n");
        assertThat(startError(shortKey)).isEqualTo("cannot read the signing key: " + shortKey + ": only 9 bytes;"
                + " at least 32 are needed (e.g. head -c 48 /dev/urandom | base64 > FILE)");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        assertThat(startError(empty)).contains(": empty; at least 32");
        assertThat(startError(dir)).contains("is a directory");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new GatewayMain(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), hook -> { }, Map.of())
                .run("--listen", "127.0.0.1:0", "--signing-key-file", shortKey.toString());
        assertThat(code).isEqualTo(GatewayMain.EXIT_FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("liteboxd-gateway: cannot read the signing key");
    }

    @Test
    void aCookieSetByOneGatewayAndAShareLinkSignedElsewhere_areAcceptedByAnother() throws Exception {
        // As a Secret's file usually is, with a trailing newline that is not part of the key.
        Path keyFile = Files.writeString(dir.resolve("key"), KEY + "\n");
        Path other = Files.writeString(dir.resolve("other"), KEY.replace('0', 'x'));
        DemoSandbox upstream = DemoSandbox.start();
        Path sandboxes = Files.writeString(dir.resolve("sandboxes.json"), "{\"sandboxes\":[{\"id\":\"demo\","
                + "\"host\":\"127.0.0.1\",\"token\":\"tok\"}]}");
        GatewayOptions base = GatewayOptions.defaults().withListen("127.0.0.1", 0).withSandboxesFile(sandboxes);
        try (GatewayServer a = GatewayServer.start(base.withDeploy(DeployOptions.NONE.withSigningKeyFile(keyFile)));
             GatewayServer b = GatewayServer.start(base.withDeploy(DeployOptions.NONE.withSigningKeyFile(keyFile)));
             GatewayServer c = GatewayServer.start(base.withDeploy(DeployOptions.NONE.withSigningKeyFile(other)))) {
            String path = "/api/v1/sandbox/demo/port/" + upstream.port() + "/echo";

            HttpResponse<String> login = TestHttp.get(URI.create(a.baseUri() + path + "?liteboxd_token=tok"));
            assertThat(login.statusCode()).isEqualTo(200);
            String setCookie = login.headers().allValues("Set-Cookie").stream()
                    .filter(v -> v.startsWith("liteboxd_token=")).findFirst().orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            assertThat(TestHttp.get(URI.create(b.baseUri() + path), "Cookie", cookie).statusCode()).isEqualTo(200);
            assertThat(TestHttp.get(URI.create(c.baseUri() + path), "Cookie", cookie).statusCode()).isEqualTo(401);

            String link = new ShareLinks(KEY).sign("demo", upstream.port(), Duration.ofMinutes(5));
            for (GatewayServer g : new GatewayServer[] {a, b}) {
                assertThat(TestHttp.get(URI.create(g.baseUri() + path + "?liteboxd_share=" + link)).statusCode())
                        .isEqualTo(200);
            }
            assertThat(TestHttp.get(URI.create(c.baseUri() + path + "?liteboxd_share=" + link)).statusCode())
                    .isEqualTo(401);
        } finally {
            upstream.stop();
        }
    }

    private String startError(Path keyFile) {
        GatewayOptions options = GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withDeploy(DeployOptions.NONE.withSigningKeyFile(keyFile));
        return catchThrowableOfType(GatewayStartException.class, () -> GatewayServer.start(options).close())
                .getMessage();
    }

    private static String usageError(String... args) {
        return catchThrowableOfType(UsageException.class, () -> GatewayArgs.parse(args)).getMessage();
    }
}
