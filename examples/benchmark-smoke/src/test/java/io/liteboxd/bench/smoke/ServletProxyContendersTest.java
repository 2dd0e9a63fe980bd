package io.liteboxd.bench.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.bench.Args;
import io.liteboxd.bench.LoadGen;
import io.liteboxd.bench.Upstream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The servlet proxy contenders of the benchmark suite, each started as the suite starts it (its own JVM, its own
 * class path: Jetty's for {@code JavaProxies}, Tomcat's without the servlet API jar for {@code TomcatProxies}), then
 * every HTTP figure's request sent through it once: a contender that does not start, or drops, truncates or
 * mis-routes a request, fails here instead of leaving a hole in a benchmark run. No timings are asserted.
 */
class ServletProxyContendersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "smoke-token";
    private static final int TRANSFER_BYTES = 8 << 20;

    private static Upstream upstream;
    @TempDir
    static Path logs;

    @BeforeAll
    static void start() throws Exception {
        upstream = Upstream.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty-proxy", "smiley", "jetty-proxy-tomcat", "smiley-tomcat"})
    void everyHttpFigureGoesThroughTheContender(String name) throws Exception {
        String prefix = "/api/v1/sandbox/bench/port/" + upstream.port();
        Path log = logs.resolve(name + ".log");
        Process contender = startContender(name, prefix, log);
        try {
            int port = awaitReady(contender, log);
            String base = "http://127.0.0.1:" + port + prefix;
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(base + "/small")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("no token").isEqualTo(401);

            JsonNode gets = loadgen(base + "/small", "--mode", "getrate", "--connections", "4", "--rate", "100",
                    "--warmup", "0.2", "--duration", "1");
            assertThat(gets.path("errors").asLong()).as(gets.toString()).isZero();
            assertThat(gets.path("lost").asLong()).isZero();
            assertThat(gets.path("windowEvents").asLong()).isPositive();

            HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(
                    URI.create(base + "/download?bytes=" + TRANSFER_BYTES)).header("X-Access-Token", TOKEN).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            try (InputStream body = download.body()) {
                assertThat(body.transferTo(OutputStream.nullOutputStream())).isEqualTo(TRANSFER_BYTES);
            }

            HttpResponse<String> upload = client.send(HttpRequest.newBuilder(URI.create(base + "/upload"))
                    .header("X-Access-Token", TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[TRANSFER_BYTES])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).isEqualTo(200);
            assertThat(upload.body()).contains("\"received\":" + TRANSFER_BYTES);

            JsonNode sse = loadgen(base + "/sse", "--mode", "ttfb", "--requests", "2");
            assertThat(sse.path("requests").asInt()).as(sse.toString()).isEqualTo(2);
            assertThat(sse.path("firstEventP50Ms").asDouble()).isPositive();

            assertThat(contender.isAlive()).as("still running; log: " + log).isTrue();
        } finally {
            contender.destroy();
            if (!contender.waitFor(20, TimeUnit.SECONDS)) {
                contender.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startContender(String name, String prefix, Path log) throws Exception {
        String testClassPath = System.getProperty("java.class.path");
        String classPath;
        String main;
        String kind;
        if (name.endsWith("-tomcat")) {
            // As the suite's contenders-tomcat build: Tomcat's jars and none of Jetty's server side or API jar.
            kind = name.substring(0, name.length() - "-tomcat".length());
            main = "io.liteboxd.bench.contenders.tomcat.TomcatProxies";
            String tomcat = System.getProperty("bench.tomcat.jars");
            assertThat(tomcat).as("bench.tomcat.jars (set by the build)").isNotBlank();
            classPath = tomcat + File.pathSeparator + Arrays.stream(testClassPath.split(File.pathSeparator))
                    .filter(e -> !Path.of(e).getFileName().toString().matches(
                            "(jakarta\\.servlet-api|jetty-server|jetty-ee10-servlet)-[0-9].*\\.jar"))
                    .collect(Collectors.joining(File.pathSeparator));
        } else {
            kind = name;
            main = "io.liteboxd.bench.contenders.JavaProxies";
            classPath = testClassPath;
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classPath, main, "--kind", kind, "--port", "0", "--prefix", prefix,
                "--upstream", "http://127.0.0.1:" + upstream.port(), "--token", TOKEN));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The port from the contender's {@code READY port=} line, or a failure with its log. */
    private static int awaitReady(Process contender, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("READY port=")) {
                    return Integer.parseInt(line.substring("READY port=".length()).trim());
                }
            }
            if (!contender.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("contender did not start; its log:\n" + Files.readString(log));
    }

    private static JsonNode loadgen(String url, String... rest) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--url", url, "--verify", "full", "--token", TOKEN));
        argv.addAll(List.of(rest));
        return JSON.readTree(JSON.writeValueAsString(
                new LoadGen(new Args(argv.toArray(String[]::new)), LoadGen.Control.NONE).run()));
    }
}
