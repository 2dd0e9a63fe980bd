package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.testkit.RawHttp;
import io.liteboxd.proxy.testkit.TestData;
import io.liteboxd.proxy.testkit.Upstream;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies through the standalone gateway as it serves them (Jetty core front end on the selector threads,
 * client connections read 64 KiB at a time, large chunks written upstream without a copy): every byte arrives in
 * order, whether the client sends a length or chunks of any size (the trailer itself is the contract suite's).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UploadTest {

    private static final int SIZE = 24 * 1024 * 1024 + 13;

    @TempDir
    static Path dir;

    private static Upstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = Upstream.start();
        Path sandboxes = dir.resolve("sandboxes.json");
        Files.writeString(sandboxes, "{\"sandboxes\":[{\"id\":\"abc\",\"host\":\"127.0.0.1\",\"token\":\"tok\"}]}");
        gateway = GatewayServer.start(GatewayOptions.defaults().withListen("127.0.0.1", 0)
                .withSandboxesFile(sandboxes));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String head(String extra) {
        return "PUT /api/v1/sandbox/abc/port/" + upstream.port() + "/echo/upload HTTP/1.1\r\nHost: gw\r\n"
                + "X-Access-Token: tok\r\nConnection: close\r\n" + extra + "\r\n";
    }

    private static JsonNode send(byte[] head, InputStream body, int chunk, byte[] tail) throws Exception {
        try (Socket socket = RawHttp.connect(gateway.baseUri().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head);
            byte[] buffer = new byte[chunk];
            for (int n; (n = body.readNBytes(buffer, 0, chunk)) > 0; ) {
                if (tail != null) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(buffer, 0, n);
                if (tail != null) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (tail != null) {
                out.write(tail);
            }
            out.flush();
            RawHttp.RawResponse r = RawHttp.read(new BufferedInputStream(socket.getInputStream()),
                    RawHttp.Reading.LENIENT);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return new ObjectMapper().readTree(r.body());
        }
    }

    @Test
    void aLargeBodyOfAnnouncedLength_arrivesWhole() throws Exception {
        JsonNode echo = send(head("Content-Length: " + SIZE + "\r\n").getBytes(StandardCharsets.US_ASCII),
                TestData.stream(SIZE, 5), 256 * 1024, null);

        assertThat(echo.path("bodyBytes").asLong()).isEqualTo(SIZE);
        assertThat(echo.path("bodySha256").asText()).isEqualTo(TestData.sha256(SIZE, 5));
    }

    @Test
    void aLargeChunkedBodyInOddChunks_endingWithATrailer_arrivesWhole() throws Exception {
        JsonNode echo = send(head("Transfer-Encoding: chunked\r\n").getBytes(StandardCharsets.US_ASCII),
                TestData.stream(SIZE, 6), 100_003, "0\r\nX-Checksum: done\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(echo.path("bodyBytes").asLong()).isEqualTo(SIZE);
        assertThat(echo.path("bodySha256").asText()).isEqualTo(TestData.sha256(SIZE, 6));
    }
}
