package io.liteboxd.proxy.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class UpstreamFailuresTest {

    @Test
    void aTimeoutAnywhereInTheChain_is504() {
        ProxyException e = UpstreamFailures.classify(new CompletionException(new IOException(new TimeoutException())));
        assertThat(e.error()).isEqualTo(ProxyError.UPSTREAM_TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("upstream did not answer in time");
    }

    @Test
    void ourOwnTimeoutKeepsItsMessage_aSocketsDoesNot() {
        assertThat(UpstreamFailures.classify(new TimeoutException("upstream did not answer the WebSocket handshake"))
                .getMessage()).isEqualTo("upstream did not answer the WebSocket handshake");
        assertThat(UpstreamFailures.classify(new SocketTimeoutException("Read timed out from 10.0.0.7:8080"))
                .getMessage()).isEqualTo("upstream did not answer in time");
    }

    @Test
    void refusedResetOrTls_is502_withTheCauseKeptForTheLog() {
        for (Throwable cause : new Throwable[] {new ConnectException("Connection refused"),
                new IOException("Connection reset"), new SSLHandshakeException("PKIX path building failed")}) {
            ProxyException e = UpstreamFailures.classify(cause);
            assertThat(e.error()).isEqualTo(ProxyError.UPSTREAM_UNREACHABLE);
            assertThat(e.getMessage()).isEqualTo("upstream unreachable");
            assertThat(e.getCause()).isSameAs(cause);
        }
    }

    @Test
    void aRefusalAlreadyDecided_stands() {
        ProxyException decided = new ProxyException(ProxyError.UNAVAILABLE, "gateway is shutting down");
        assertThat(UpstreamFailures.classify(new CompletionException(decided))).isSameAs(decided);
    }
}
