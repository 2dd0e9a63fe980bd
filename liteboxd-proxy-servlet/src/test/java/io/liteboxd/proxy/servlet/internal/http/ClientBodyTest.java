package io.liteboxd.proxy.servlet.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** When a request's body counts as read by someone in front of the gateway; the containers' side is the contract suite. */
class ClientBodyTest {

    private final HttpServletRequest request = mock(HttpServletRequest.class);
    private final ServletInputStream input = mock(ServletInputStream.class);

    @Test
    void noBodyAnnounced_isNeverLookedAt() throws IOException {
        when(request.getContentLengthLong()).thenReturn(-1L);

        assertThat(ClientBody.consumedBeforeRelay(request)).isNull();
        verify(request, never()).getInputStream();
    }

    @Test
    void emptyBody_isNotConsumed() throws IOException {
        when(request.getContentLengthLong()).thenReturn(0L);

        assertThat(ClientBody.consumedBeforeRelay(request)).isNull();
        verify(request, never()).getInputStream();
    }

    @Test
    void announcedBody_stillUnread_isRelayed() throws IOException {
        when(request.getContentLengthLong()).thenReturn(12L);
        when(request.getInputStream()).thenReturn(input);
        when(input.isFinished()).thenReturn(false);

        assertThat(ClientBody.consumedBeforeRelay(request)).isNull();
    }

    @Test
    void announcedBody_streamAlreadyFinished_isConsumed() throws IOException {
        when(request.getContentLengthLong()).thenReturn(12L);
        when(request.getInputStream()).thenReturn(input);
        when(input.isFinished()).thenReturn(true);

        assertThat(ClientBody.consumedBeforeRelay(request)).isEqualTo("already read to its end");
    }

    @Test
    void chunkedBody_streamAlreadyFinished_isConsumed() throws IOException {
        when(request.getContentLengthLong()).thenReturn(-1L);
        when(request.getHeader("Transfer-Encoding")).thenReturn("chunked");
        when(request.getInputStream()).thenReturn(input);
        when(input.isFinished()).thenReturn(true);

        assertThat(ClientBody.consumedBeforeRelay(request)).isNotNull();
    }

    @Test
    void bodyTakenAsAReader_isConsumed() throws IOException {
        when(request.getContentLengthLong()).thenReturn(12L);
        when(request.getInputStream()).thenThrow(new IllegalStateException("getReader() has already been called"));

        assertThat(ClientBody.consumedBeforeRelay(request)).isEqualTo("read through getReader()");
    }

    @Test
    void streamThatCannotBeHad_isLeftToTheRelay() throws IOException {
        when(request.getContentLengthLong()).thenReturn(12L);
        when(request.getInputStream()).thenThrow(new IOException("connection reset"));

        assertThat(ClientBody.consumedBeforeRelay(request)).isNull();
    }

    @Test
    void checkUnread_refusesWithBodyConsumed_andNamesTheCause() throws IOException {
        when(request.getMethod()).thenReturn("PUT");
        when(request.getRequestURI()).thenReturn("/api/v1/sandbox/sb1/port/8000/form");
        when(request.getContentLengthLong()).thenReturn(12L);
        when(request.getInputStream()).thenReturn(input);
        when(input.isFinished()).thenReturn(true);
        ClientBody body = new ClientBody();

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> body.checkUnread(request))
                    .isInstanceOfSatisfying(ProxyException.class, e -> {
                        assertThat(e.error()).isEqualTo(ProxyError.BODY_CONSUMED);
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.getMessage()).contains("FormContentFilter").contains("nothing was sent");
                    });
        }
    }

    @Test
    void endedShort_answersBodyConsumed() {
        ProxyException failure = new ClientBody().endedShort("PUT", "/api/v1/sandbox/sb1/port/8000", 3, 12);

        assertThat(failure.error()).isEqualTo(ProxyError.BODY_CONSUMED);
        assertThat(failure.getMessage()).contains("FormContentFilter").contains("aborted");
    }
}
