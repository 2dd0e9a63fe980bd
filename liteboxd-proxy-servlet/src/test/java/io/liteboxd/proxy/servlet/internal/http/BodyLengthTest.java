package io.liteboxd.proxy.servlet.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

/** How the servlet front end frames the request body it relays: by length, chunked, or none. */
class BodyLengthTest {

    private static HttpServletRequest request(String protocol, String method, long contentLength,
                                              String transferEncoding) {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getProtocol()).thenReturn(protocol);
        when(r.getMethod()).thenReturn(method);
        when(r.getContentLengthLong()).thenReturn(contentLength);
        when(r.getHeader("Transfer-Encoding")).thenReturn(transferEncoding);
        return r;
    }

    @Test
    void anAnnouncedLengthIsSentAsIs() {
        assertThat(HttpRelay.bodyLength(request("HTTP/1.1", "POST", 12, null))).isEqualTo(12);
        assertThat(HttpRelay.bodyLength(request("HTTP/1.1", "POST", 0, null))).isZero();
        assertThat(HttpRelay.bodyLength(request("HTTP/2.0", "PUT", 7, null))).isEqualTo(7);
    }

    @Test
    void aBodyOfUnknownLengthIsSentChunked() {
        assertThat(HttpRelay.bodyLength(request("HTTP/1.1", "POST", -1, "chunked"))).isEqualTo(-1);
        assertThat(HttpRelay.bodyLength(request("HTTP/2.0", "POST", -1, null)))
                .as("HTTP/2 does not announce a body in headers").isEqualTo(-1);
    }

    @Test
    void noBodyWhereNoneIsAnnounced() {
        assertThat(HttpRelay.bodyLength(request("HTTP/1.1", "POST", -1, null))).isZero();
        assertThat(HttpRelay.bodyLength(request("HTTP/1.0", "GET", -1, null))).isZero();
        assertThat(HttpRelay.bodyLength(request("HTTP/2.0", "GET", -1, null))).isZero();
    }
}
