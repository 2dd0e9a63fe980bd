package io.liteboxd.proxy.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.route.SandboxRoute;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxGatewayTest {

    private final TokenAuthenticator auth = mock(TokenAuthenticator.class);
    private final SandboxResolver resolver = mock(SandboxResolver.class);
    private final UpstreamConnector connector = mock(UpstreamConnector.class);
    private final SandboxGateway gateway = new SandboxGateway(ProxyConfig.defaults(), auth, resolver, connector);

    private static final String PATH = "/api/v1/sandbox/abc/port/8080/x";

    @Test
    void admitsThroughRouteAuthResolveConnect() {
        when(auth.authenticate("abc", "tok")).thenReturn(true);
        when(resolver.resolve("abc")).thenReturn(Optional.of(Sandbox.ready("abc", "10.0.0.9")));
        when(connector.target(any(), any(), any())).thenAnswer(inv -> new DirectPodConnector()
                .target(inv.getArgument(0), inv.getArgument(1), inv.getArgument(2)));

        SandboxGateway.Admission a = admit(PATH, "q=1", List.of("tok"), Transport.WEBSOCKET);
        assertThat(a.route().sandboxId()).isEqualTo("abc");
        assertThat(a.sandbox().host()).isEqualTo("10.0.0.9");
        assertThat(a.target().uri().toString()).isEqualTo("ws://10.0.0.9:8080/x?q=1");
    }

    @Test
    void aBadRouteIsRefusedBeforeAnySpiIsAsked() {
        expect(() -> admit("/api/v1/sandbox/abc/port/0/x", null, List.of("tok"), Transport.HTTP),
                ProxyError.ROUTE_INVALID);
        verify(auth, never()).authenticate(anyString(), anyString());
        verify(resolver, never()).resolve(anyString());
    }

    @Test
    void missingEmptyAndRepeatedTokensAreRefusedWithoutAskingTheAuthenticator() {
        expect(() -> admit(PATH, null, List.of(), Transport.HTTP), ProxyError.TOKEN_MISSING);
        expect(() -> admit(PATH, null, List.of(" "), Transport.HTTP), ProxyError.TOKEN_MISSING);
        expect(() -> admit(PATH, null, List.of("a", "b"), Transport.HTTP), ProxyError.BAD_REQUEST);
        verify(auth, never()).authenticate(anyString(), anyString());
    }

    @Test
    void aWrongTokenIsRefusedBeforeResolvingSoIdsCannotBeProbed() {
        when(auth.authenticate("abc", "bad")).thenReturn(false);
        expect(() -> admit(PATH, null, List.of("bad"), Transport.HTTP), ProxyError.TOKEN_INVALID);
        verify(resolver, never()).resolve(anyString());
    }

    @Test
    void resolutionOutcomesMapToStatuses() {
        when(auth.authenticate(anyString(), anyString())).thenReturn(true);

        when(resolver.resolve("abc")).thenReturn(Optional.empty());
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.SANDBOX_NOT_FOUND);

        when(resolver.resolve("abc")).thenReturn(Optional.of(new Sandbox("abc", "h", false, Set.of())));
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.SANDBOX_NOT_READY);

        when(resolver.resolve("abc")).thenReturn(Optional.of(new Sandbox("abc", "h", true, Set.of(3000))));
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.PORT_FORBIDDEN);

        when(resolver.resolve("abc")).thenReturn(null);
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.SANDBOX_NOT_FOUND);
        verify(connector, never()).target(any(), any(), any());
    }

    @Test
    void throwingSpisBecome503WithoutLeakingDetails() {
        when(auth.authenticate(anyString(), anyString())).thenThrow(new IllegalStateException("db password=hunter2"));
        ProxyException e = expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.INTERNAL);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage()).doesNotContain("hunter2");

        doReturn(true).when(auth).authenticate(anyString(), anyString());
        when(resolver.resolve("abc")).thenThrow(new RuntimeException("boom"));
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.INTERNAL);

        doThrow(new ProxyException(ProxyError.SANDBOX_NOT_READY, "warming up")).when(resolver).resolve("abc");
        expect(() -> admit(PATH, null, List.of("t"), Transport.HTTP), ProxyError.SANDBOX_NOT_READY);
    }

    @Test
    void keepPrefixPortsForwardTheWholePathAndPreserveHostStopsAtTheGatewaysIdentity() throws Exception {
        SandboxGateway keeping = new SandboxGateway(ProxyConfig.defaults(), auth, resolver, connector);
        when(auth.authenticate("abc", "tok")).thenReturn(true);
        when(resolver.resolve("abc")).thenReturn(Optional.of(Sandbox.ready("abc", "10.0.0.1")
                .withForwarding(Set.of(8080), Set.of(8080))));
        when(connector.target(any(), any(), any())).thenAnswer(call -> new UpstreamTarget(
                java.net.URI.create("http://10.0.0.1:8080" + ((SandboxRoute) call.getArgument(1)).pathAndQuery())));

        SandboxGateway.Admission admission = keeping.admit(new GatewayRequest("GET", "gw", PATH, "q=1",
                List.of("tok"), List.of(), null, Transport.HTTP, "/ctx"));

        assertThat(admission.keepPrefix()).isTrue();
        assertThat(admission.preserveHost()).isTrue();
        assertThat(admission.target().uri().toString()).isEqualTo("http://10.0.0.1:8080/ctx" + PATH + "?q=1");
        assertThat(admission.route().mountPath()).isEqualTo("/api/v1/sandbox/abc/port/8080");

        doReturn(new UpstreamTarget(java.net.URI.create("https://api:6443/x"), java.util.Map.of(), true))
                .when(connector).target(any(), any(), any());
        assertThat(keeping.admit(new GatewayRequest("GET", "gw", PATH, null, List.of("tok"), List.of(), null,
                Transport.HTTP, "")).preserveHost()).as("never through the API server").isFalse();

        when(resolver.resolve("abc")).thenReturn(Optional.of(Sandbox.ready("abc", "10.0.0.1")));
        org.mockito.Mockito.doAnswer(call -> new UpstreamTarget(
                java.net.URI.create("http://10.0.0.1:8080" + ((SandboxRoute) call.getArgument(1)).pathAndQuery())))
                .when(connector).target(any(), any(), any());
        SandboxGateway.Admission stripped = keeping.admit(new GatewayRequest("GET", "gw", PATH, null, List.of("tok"),
                List.of(), null, Transport.HTTP, "/ctx"));
        assertThat(stripped.keepPrefix()).isFalse();
        assertThat(stripped.target().uri().getRawPath()).isEqualTo("/x");
    }

    /** A request authenticated by {@code X-Access-Token} values alone. */
    private SandboxGateway.Admission admit(String path, String query, List<String> tokens, Transport transport) {
        return gateway.admit(new GatewayRequest("GET", "gw", path, query, tokens, List.of(), null, transport, ""));
    }

    private static ProxyException expect(Runnable call, ProxyError error) {
        try {
            call.run();
        } catch (ProxyException e) {
            assertThat(e.error()).isEqualTo(error);
            assertThat(e.status()).isEqualTo(error.status());
            return e;
        }
        throw new AssertionError("expected " + error);
    }
}
