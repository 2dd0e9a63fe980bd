package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.testkit.RawHttp;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests Jetty refuses before the gateway's servlet runs get the gateway's JSON error, never Jetty's HTML page. */
class GatewayErrorPagesTest {

    private static GatewayServer gateway;
    private static URI uri;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0));
        uri = gateway.baseUri();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    private static RawHttp.RawResponse send(String request) throws Exception {
        try (RawHttp.Connection c = RawHttp.Connection.open(uri)) {
            return c.exchange(request);
        }
    }

    private static void assertJsonError(RawHttp.RawResponse a, int status, String code) throws Exception {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("content-type")).startsWith("application/json");
        JsonNode body = new ObjectMapper().readTree(a.body());
        assertThat(body.path("code").asText()).isEqualTo(code);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("error").asText()).isNotBlank();
        assertThat(a.bodyText()).doesNotContain("secret-marker").doesNotContain("<");
    }

    @Test
    void garbageRequestLine_is400Json() throws Exception {
        assertJsonError(send("HELLO WORLD\r\n\r\n"), 400, "bad_request");
    }

    @Test
    void oversizedRequestHead_is431Json_withoutTheUri() throws Exception {
        assertJsonError(send("GET /api/v1/sandbox/demo/port/1/x?secret-marker=1 HTTP/1.1\r\nHost: gw\r\nX-Big: "
                + "b".repeat(32 * 1024) + "\r\n\r\n"), 431, "request_header_too_large");
    }

    @Test
    void pathNoServletServes_is404Json_withoutTheUri() throws Exception {
        assertJsonError(send("GET /elsewhere?secret-marker=1 HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"),
                404, "route_not_found");
    }

    @Test
    void malformedUri_is400Json() throws Exception {
        assertJsonError(send("GET /api/v1/sandbox/demo/port/1/%zz?secret-marker=1 HTTP/1.1\r\nHost: gw\r\n\r\n"),
                400, "bad_request");
    }
}
