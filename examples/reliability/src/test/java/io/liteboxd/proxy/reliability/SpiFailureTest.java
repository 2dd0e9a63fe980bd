package io.liteboxd.proxy.reliability;

import static io.liteboxd.proxy.reliability.support.TestSandboxes.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.reliability.support.Await;
import io.liteboxd.proxy.reliability.support.ErrorBodies;
import io.liteboxd.proxy.reliability.support.Gateway;
import io.liteboxd.proxy.testkit.Upstream;
import io.liteboxd.proxy.reliability.support.LogCapture;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.RawHttp.Request;
import io.liteboxd.proxy.reliability.support.Resources;
import io.liteboxd.proxy.reliability.support.TestSandboxes;
import io.liteboxd.proxy.resolve.SandboxResolver;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The embedder's SPIs fail: the authenticator, the resolver or the connector throws. Every such request is a 503
 * JSON {@code internal_error} (or the status a {@link ProxyException} asks for), the failure is logged (without the
 * token), the upstream is never contacted, and nothing is left open: no relay, no growing thread or fd count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpiFailureTest {

    private static final Duration BOUND = Duration.ofSeconds(15);

    private Upstream upstream;
    private TestSandboxes sandboxes;

    @BeforeAll
    void start() throws Exception {
        upstream = Upstream.start();
        sandboxes = TestSandboxes.create(1);
    }

    @AfterAll
    void stop() throws Exception {
        upstream.close();
    }

    @Test
    void authenticatorThrowingIs503AndLogged() throws Exception {
        TokenAuthenticator broken = (id, token) -> {
            throw new IllegalStateException("token store unreachable");
        };
        assertFailsSafely(Gateway.builder().authenticator(broken).resolver(sandboxes.resolver()),
                503, "internal_error", "TokenAuthenticator failed");
    }

    @Test
    void resolverThrowingIs503AndLogged() throws Exception {
        SandboxResolver broken = id -> {
            throw new IllegalStateException("registry unreachable");
        };
        assertFailsSafely(Gateway.builder().authenticator(sandboxes.authenticator()).resolver(broken),
                503, "internal_error", "SandboxResolver failed");
    }

    @Test
    void connectorThrowingIs503AndLogged() throws Exception {
        UpstreamConnector broken = (sandbox, route, transport) -> {
            throw new IllegalStateException("no address");
        };
        assertFailsSafely(Gateway.builder().sandboxes(sandboxes).connector(broken), 503, "internal_error",
                "UpstreamConnector failed");
    }

    /** An SPI may pick the status itself, e.g. 503 unavailable while its cache warms up. */
    @Test
    void resolverThrowingAProxyExceptionGetsItsOwnStatus() throws Exception {
        SandboxResolver warming = id -> {
            throw new ProxyException(ProxyError.UNAVAILABLE, "sandbox registry is warming up");
        };
        assertFailsSafely(Gateway.builder().authenticator(sandboxes.authenticator()).resolver(warming),
                503, "unavailable", null);
    }

    /** A resolver returning null instead of Optional.empty() is a programming error, not a crash. */
    @Test
    void resolverReturningNullIsANotFound() throws Exception {
        SandboxResolver sloppy = id -> null;
        assertFailsSafely(Gateway.builder().authenticator(sandboxes.authenticator()).resolver(sloppy),
                404, "sandbox_not_found", null);
    }

    /**
     * An SPI that fails with an {@link Error} (a missing optional dependency gives NoClassDefFoundError, a broken
     * static initialiser ExceptionInInitializerError) must still get the promised 503, not the container's 500.
     */
    @Test
    void authenticatorThrowingAnErrorIs503() throws Exception {
        TokenAuthenticator broken = (id, token) -> {
            throw new NoClassDefFoundError("com/example/TokenStore");
        };
        assertFailsSafely(Gateway.builder().authenticator(broken).resolver(sandboxes.resolver()),
                503, "internal_error", null);
    }

    /** The same through {@code JettyHttpHandler}, which admits HTTP requests from Jetty's core API itself. */
    @Test
    void authenticatorThrowingAnErrorIs503OnTheCoreFrontEnd() throws Exception {
        TokenAuthenticator broken = (id, token) -> {
            throw new NoClassDefFoundError("com/example/TokenStore");
        };
        assertFailsSafely(Gateway.builder().coreHandler(true).authenticator(broken).resolver(sandboxes.resolver()),
                503, "internal_error", null);
    }

    @Test
    void manyFailingHandshakesLeaveNothingBehind() throws Exception {
        SandboxResolver broken = id -> {
            throw new IllegalStateException("registry unreachable");
        };
        try (Gateway gateway = Gateway.builder().authenticator(sandboxes.authenticator()).resolver(broken).start()) {
            warmUp(gateway);
            int fdsBefore = Resources.openFds();
            int threadsBefore = Resources.threads();
            for (int i = 0; i < 300; i++) {
                RawHttp.RawResponse r = RawHttp.exchange(gateway.port(), wsRequest());
                ErrorBodies.assertJsonError(r, 503, "internal_error");
            }
            assertThat(gateway.servlet().openWebSockets()).isZero();
            assertThat(upstream.acceptedConnections()).isZero();
            Await.until("fds back near the baseline after 300 refused handshakes", BOUND,
                    () -> Resources.openFds() <= fdsBefore + 8, Resources::openFds);
            // Pool threads may come and go; 300 refused requests must not add a thread each.
            assertThat(Resources.threads()).as("threads %s", Resources.threadGroups()).isLessThan(threadsBefore + 40);
        }
    }

    // ---- helpers ----

    /**
     * Runs an HTTP request and a WebSocket handshake through a gateway built by {@code builder} and checks the
     * answer, the log line ({@code logged} null: no expectation) and that nothing reached the upstream or stayed open.
     */
    private void assertFailsSafely(Gateway.Builder builder, int status, String code, String logged) throws Exception {
        int acceptedBefore = upstream.acceptedConnections();
        try (LogCapture log = LogCapture.start("spi-failure-" + code + "-" + System.nanoTime() + ".log");
             Gateway gateway = builder.start()) {
            ErrorBodies.assertJsonError(RawHttp.exchange(gateway.port(), httpRequest()), status, code);
            RawHttp.RawResponse ws = RawHttp.exchange(gateway.port(), wsRequest());
            ErrorBodies.assertJsonError(ws, status, code);
            assertThat(gateway.servlet().openWebSockets()).as("relays left open").isZero();
            assertThat(upstream.acceptedConnections()).as("connections to the upstream").isEqualTo(acceptedBefore);
            String text = log.text();
            if (logged != null) {
                assertThat(text).as("the failure is logged").contains(logged);
            }
            assertThat(text).as("the token is not logged").doesNotContain(TOKEN);
        }
    }

    private Request httpRequest() {
        return Request.get(TestSandboxes.path(upstream.port(), "/echo")).token(TOKEN);
    }

    private Request wsRequest() {
        return Request.get(TestSandboxes.path(upstream.port(), "/ws/echo?fragments=1")).webSocket().token(TOKEN);
    }

    private void warmUp(Gateway gateway) throws Exception {
        for (int i = 0; i < 20; i++) {
            RawHttp.exchange(gateway.port(), wsRequest());
        }
    }
}
