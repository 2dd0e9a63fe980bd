package io.liteboxd.proxy.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liteboxd.proxy.SpiBundle;
import io.liteboxd.proxy.SpiProvider;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import jakarta.servlet.ServletException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayBootstrapTest {

    @TempDir
    Path dir;

    @Test
    void anSpiProviderIsFoundByNameAndItsResourcesAreClosedOnce() throws Exception {
        GatewayBootstrap.Spis spis = boot(Map.of("spiProvider", FixedProvider.NAME, "requestTimeout", "7s"), Map.of());
        assertThat(spis.config().requestTimeout()).hasSeconds(7);
        assertThat(spis.resolver().resolve("abc")).contains(Sandbox.ready("abc", "10.0.0.1"));
        assertThat(spis.authenticator().authenticate("abc", "t")).isTrue();
        assertThat(spis.connector()).isInstanceOf(DirectPodConnector.class);
        int before = FixedProvider.CLOSED.get();
        GatewayBootstrap.close(spis.resources(), "the SPIs' resources");
        assertThat(FixedProvider.CLOSED.get()).isEqualTo(before + 1);
    }

    @Test
    void theEnvironmentCanNameTheProvider() throws Exception {
        assertThat(boot(Map.of(), Map.of("LITEBOXD_SPI_PROVIDER", FixedProvider.NAME)).resolver().resolve("x"))
                .isPresent();
    }

    @Test
    void anUnknownProviderNamesTheOnesThereAre() {
        assertFails(Map.of("spiProvider", "nope"), "spiProvider: no SpiProvider named 'nope' on the class path",
                "kubernetes", FixedProvider.NAME);
    }

    @Test
    void kubernetesWithoutTheKubernetesClientSaysWhatIsMissing() throws Exception {
        // client-java is an optional dependency of the core module: it is not on this module's class path.
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        assertFails(Map.of("kubernetes", "true", "kubeconfig", kubeconfig.toString()),
                "kubernetes provider: a class it needs is missing", "(add io.kubernetes:client-java)");
    }

    @Test
    void kubernetesWithoutAnyConfigurationSaysSo() {
        assertFails(Map.of("kubernetes", "true", "kubeconfig", dir.resolve("absent").toString()),
                "kubernetes provider: ");
    }

    @Test
    void malformedAndConflictingSettingsFailNamingThem() throws Exception {
        Path file = Files.writeString(dir.resolve("s.json"),
                "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\"}]}");
        assertFails(Map.of("kubernetes", "maybe"), "kubernetes: expected true or false, got 'maybe'");
        assertFails(Map.of("requestTimeout", "soon"), "bad setting: requestTimeout");
        assertFails(Map.of("kubernetes", "true", "sandboxes", file.toString()),
                "sandboxes cannot be combined with kubernetes provider");
        assertFails(Map.of("spiProvider", FixedProvider.NAME, "upstreamConnector", DirectPodConnector.class.getName()),
                "upstreamConnector cannot be combined with " + FixedProvider.NAME + " provider");
        assertFails(Map.of("kubernetes", "true", "spiProvider", FixedProvider.NAME),
                "kubernetes=true conflicts with spiProvider=" + FixedProvider.NAME);
        assertFails(Map.of("sandboxes", file.toString(), "tokenAuthenticator", Tokens.class.getName()),
                "tokenAuthenticator cannot be combined with sandboxes");
        assertFails(Map.of("sandboxes", dir.resolve("absent.json").toString()), "sandboxes: ", "no such file");
    }

    @Test
    void classNamesMustBeLoadableImplementationsWithAPublicNoArgConstructor() throws Exception {
        String resolver = Resolver.class.getName();
        GatewayBootstrap.Spis spis = boot(Map.of("tokenAuthenticator", Tokens.class.getName(),
                "sandboxResolver", resolver), Map.of());
        assertThat(spis.resolver()).isInstanceOf(Resolver.class);
        assertThat(spis.connector()).isInstanceOf(DirectPodConnector.class);
        assertThat(spis.resources()).isNull();

        assertFails(Map.of("tokenAuthenticator", Tokens.class.getName()), "no SPIs configured",
                "(missing sandboxResolver)");
        assertFails(Map.of("tokenAuthenticator", "com.example.Nope", "sandboxResolver", resolver),
                "tokenAuthenticator: cannot load class com.example.Nope");
        assertFails(Map.of("tokenAuthenticator", String.class.getName(), "sandboxResolver", resolver),
                "tokenAuthenticator: java.lang.String does not implement io.liteboxd.proxy.auth.TokenAuthenticator");
        assertFails(Map.of("tokenAuthenticator", Tokens.class.getName(), "sandboxResolver",
                NeedsArgument.class.getName()), "has no public no-argument constructor");
        assertFails(Map.of("tokenAuthenticator", Tokens.class.getName(), "sandboxResolver", Throwing.class.getName()),
                "sandboxResolver: cannot create", "no registry");
    }

    private static GatewayBootstrap.Spis boot(Map<String, String> params, Map<String, String> env)
            throws ServletException {
        return GatewayBootstrap.fromSettings(params::get, env, GatewayBootstrapTest.class.getClassLoader());
    }

    private static void assertFails(Map<String, String> params, String... fragments) {
        assertThatThrownBy(() -> boot(new HashMap<>(params), Map.of())).isInstanceOf(ServletException.class)
                .hasMessageStartingWith("liteboxd-proxy: ")
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    /** Registered in this module's test {@code META-INF/services}. */
    public static final class FixedProvider implements SpiProvider {
        static final String NAME = "fixed-for-tests";
        static final AtomicInteger CLOSED = new AtomicInteger();

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public SpiBundle create(Function<String, String> settings, Map<String, String> env) {
            return new SpiBundle((id, token) -> true, id -> Optional.of(Sandbox.ready(id, "10.0.0.1")),
                    new DirectPodConnector(), CLOSED::incrementAndGet);
        }
    }

    public static final class Tokens implements io.liteboxd.proxy.auth.TokenAuthenticator {
        @Override
        public boolean authenticate(String sandboxId, String token) {
            return false;
        }
    }

    public static final class Resolver implements SandboxResolver {
        @Override
        public Optional<Sandbox> resolve(String sandboxId) {
            return Optional.empty();
        }
    }

    public static final class NeedsArgument implements SandboxResolver {
        public NeedsArgument(String registry) {
        }

        @Override
        public Optional<Sandbox> resolve(String sandboxId) {
            return Optional.empty();
        }
    }

    public static final class Throwing implements SandboxResolver {
        public Throwing() {
            throw new IllegalStateException("no registry");
        }

        @Override
        public Optional<Sandbox> resolve(String sandboxId) {
            return Optional.empty();
        }
    }
}
