package io.liteboxd.proxy.servlet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which requests the pooled relay takes; the rest go through AsyncProxyServlet (see the contract suites). */
class PooledRelayTest {

    private static HttpServletRequest request(String protocol, long contentLength, String transferEncoding,
                                              String expect) {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getProtocol()).thenReturn(protocol);
        when(r.getContentLengthLong()).thenReturn(contentLength);
        when(r.getHeader("Transfer-Encoding")).thenReturn(transferEncoding);
        when(r.getHeader("Expect")).thenReturn(expect);
        return r;
    }

    private static final URI POD = URI.create("http://10.42.0.17:8080/app?x=1");

    @Test
    void takesBodilessHttp1RequestsToAPodAddress() {
        assertThat(PooledRelay.accepts(request("HTTP/1.1", -1, null, null), POD)).isTrue();
        assertThat(PooledRelay.accepts(request("HTTP/1.0", 0, null, null), POD)).as("Content-Length: 0").isTrue();
        assertThat(PooledRelay.accepts(request("HTTP/1.1", -1, null, null), URI.create("http://[fd00::17]:80/")))
                .isTrue();
    }

    @Test
    void leavesRequestsWithABodyOrThatMightHaveOne() {
        assertThat(PooledRelay.accepts(request("HTTP/1.1", 12, null, null), POD)).isFalse();
        assertThat(PooledRelay.accepts(request("HTTP/1.1", -1, "chunked", null), POD)).isFalse();
        assertThat(PooledRelay.accepts(request("HTTP/1.1", -1, null, "100-continue"), POD)).isFalse();
        assertThat(PooledRelay.accepts(request("HTTP/2.0", -1, null, null), POD))
                .as("HTTP/2 does not announce a body in headers").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://10.42.0.17:8443/", "http://sandbox-1.liteboxd.svc:8080/",
            "http://localhost:8080/"})
    void leavesTlsAndNamedUpstreamsToTheHttpClient(String target) {
        assertThat(PooledRelay.accepts(request("HTTP/1.1", -1, null, null), URI.create(target))).isFalse();
    }
}
