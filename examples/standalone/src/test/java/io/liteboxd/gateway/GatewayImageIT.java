package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OCI image Jib wrote in the package phase (on the empty base: the configuration and the gateway's layers, which
 * are the same on the real JRE base of {@code -Pimage}): a non-root user, the gateway as entry point with container
 * JVM flags, the sandbox and admin ports, and the gateway's classes and dependencies in its layers, which start a
 * working gateway when run as the entry point says (with this machine's JRE standing in for the base image's).
 */
class GatewayImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode config;
    private static List<String> files;
    private static Path root;

    @BeforeAll
    static void readImage() throws IOException {
        Path tar = Path.of(System.getProperty("gateway.image.tar", "target/jib-check/image.tar"));
        assertThat(tar).as("the image tar written by jib:buildTar in the package phase").exists();
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar)) {
            readTar(in, (name, content) -> entries.put(name, content.readAllBytes()));
        }
        JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
        config = JSON.readTree(entries.get(manifest.path("Config").asText()));
        files = new ArrayList<>();
        root = Files.createTempDirectory("gateway-image");
        for (JsonNode layer : manifest.path("Layers")) {
            byte[] compressed = entries.get(layer.asText());
            assertThat(compressed).as("layer %s", layer.asText()).isNotNull();
            readTar(new GZIPInputStream(new ByteArrayInputStream(compressed)), (name, content) -> {
                files.add(name);
                Path target = root.resolve(name.replaceFirst("^\\.?/+", "")).normalize();
                assertThat(target.startsWith(root)).as("inside the image root: %s", name).isTrue();
                Files.createDirectories(target.getParent());
                Files.copy(content, target);
            });
        }
    }

    @AfterAll
    static void removeExtracted() throws IOException {
        if (root != null) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void runsAsANonRootUser() {
        String user = config.path("config").path("User").asText();
        assertThat(user).isEqualTo("65532:65532");
        assertThat(user).doesNotStartWith("0").doesNotStartWith("root");
    }

    @Test
    void entrypointStartsTheGatewayWithContainerJvmFlags() {
        List<String> entrypoint = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError",
                "-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp");
        assertThat(entrypoint).last().isEqualTo(GatewayMain.class.getName());
        List<String> cmd = new ArrayList<>();
        config.path("config").path("Cmd").forEach(n -> cmd.add(n.asText()));
        assertThat(cmd).containsExactly("--listen", "0.0.0.0:8080", "--admin-port", "9090");
    }

    @Test
    void exposesTheSandboxAndAdminPorts() {
        List<String> ports = new ArrayList<>();
        config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("8080/tcp", "9090/tcp");
    }

    @Test
    void layersHoldTheGatewayAndItsDependencies() throws IOException {
        assertThat(files).anySatisfy(f -> assertThat(f).endsWith("app/classes/io/liteboxd/gateway/GatewayMain.class"));
        assertThat(files).anySatisfy(f -> assertThat(f).matches(".*app/libs/liteboxd-proxy-core-[^/]+\\.jar"));
        assertThat(files).anySatisfy(f -> assertThat(f).matches(".*app/libs/micrometer-registry-prometheus-[^/]+\\.jar"));
        assertThat(classpath()).contains("/app/classes", "/app/libs/liteboxd-proxy-servlet-");
    }

    /** The entry point, run on the extracted layers: the gateway starts and its admin port answers. */
    @Test
    void theLayersStartTheGateway() throws Exception {
        List<String> entrypoint = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        int cp = entrypoint.indexOf("-cp");
        assertThat(entrypoint.get(cp + 1)).isEqualTo("@/app/jib-classpath-file");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(entrypoint.subList(1, cp));
        command.add("-cp");
        StringBuilder local = new StringBuilder();
        for (String entry : classpath().trim().split(":")) {
            assertThat(entry).startsWith("/app/");
            local.append(local.length() == 0 ? "" : ":").append(root).append(entry);
        }
        command.add(local.toString());
        command.add(entrypoint.get(cp + 2));
        int port = freePort();
        int admin = freePort();
        command.addAll(List.of("--listen", "127.0.0.1:" + port, "--admin-port", Integer.toString(admin)));
        Path log = root.resolve("gateway.log");
        Process gateway = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI health = URI.create("http://127.0.0.1:" + admin + "/healthz");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            HttpResponse<String> r = null;
            while (r == null && System.nanoTime() < deadline) {
                assertThat(gateway.isAlive()).as("gateway running: %s", Files.readString(log)).isTrue();
                try {
                    r = TestHttp.get(health);
                } catch (RuntimeException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(r).as(Files.readString(log)).isNotNull();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Files.readString(log)).contains("liteboxd-gateway listening on http://127.0.0.1:" + port);
        } finally {
            gateway.destroy();
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static String classpath() throws IOException {
        return Files.readString(root.resolve("app/jib-classpath-file"), StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private interface EntryHandler {
        void entry(String name, InputStream content) throws IOException;
    }

    /** A minimal reader of the ustar/pax archives Jib writes: names (long ones from pax headers) and contents. */
    private static void readTar(InputStream in, EntryHandler handler) throws IOException {
        byte[] header = new byte[512];
        String paxPath = null;
        while (readFully(in, header)) {
            if (header[0] == 0) {
                return;
            }
            String name = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(),
                    8);
            byte[] content = new byte[(int) size];
            if (!readFully(in, content)) {
                throw new IOException("truncated tar entry " + name);
            }
            long padding = (512 - size % 512) % 512;
            in.readNBytes((int) padding);
            char type = (char) header[156];
            if (type == 'x') {
                for (String record : new String(content, StandardCharsets.UTF_8).split("\n")) {
                    int eq = record.indexOf(" path=");
                    if (eq >= 0) {
                        paxPath = record.substring(eq + " path=".length());
                    }
                }
                continue;
            }
            if (paxPath != null) {
                name = paxPath;
                paxPath = null;
            }
            if (type == '0' || type == 0) {
                handler.entry(name, new ByteArrayInputStream(content));
            }
        }
    }

    private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
        int n = in.readNBytes(buffer, 0, buffer.length);
        return n == buffer.length;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
