package io.liteboxd.proxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's nginx as a front proxy in a test: a private prefix directory, one worker, no daemon, the usual WebSocket
 * {@code Upgrade}/{@code Connection} map, and the caller's {@code upstream}/{@code server} blocks.
 *
 * <p>Tests that need it call {@link #requireOrSkip} first: without nginx they are skipped with a message, unless
 * {@code LITEBOXD_REQUIRE_NGINX} is set ({@code .ci/run} installs nginx and sets it, so CI fails rather than skips).
 */
public final class Nginx implements AutoCloseable {

    /** The nginx binary: {@code $NGINX}, else Debian's {@code /usr/sbin/nginx}. */
    public static final String BINARY = System.getenv().getOrDefault("NGINX", "/usr/sbin/nginx");

    private final Process process;
    private final int port;

    private Nginx(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Skips the calling test (or fails it when {@code LITEBOXD_REQUIRE_NGINX} is set) if nginx is missing. */
    public static void requireOrSkip(String test) {
        if (Files.isExecutable(Path.of(BINARY))) {
            return;
        }
        String why = BINARY + " is missing (apt-get install -y nginx)";
        if (System.getenv("LITEBOXD_REQUIRE_NGINX") != null) {
            throw new IllegalStateException(why + ", and LITEBOXD_REQUIRE_NGINX is set");
        }
        System.err.println("*** SKIPPING " + test + ": " + why + " ***");
        Assumptions.abort(why);
    }

    /**
     * Starts nginx in {@code dir} and waits until it listens on {@code port}.
     *
     * @param servers the {@code upstream} and {@code server} blocks of the {@code http} context; the server must
     *                listen on {@code 127.0.0.1:port}, and may use {@code $connection_upgrade}
     * @param workerConnections nginx's {@code worker_connections}
     */
    public static Nginx start(Path dir, int port, int workerConnections, String servers) throws IOException,
            InterruptedException {
        Files.createDirectories(dir.resolve("logs"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log;
                events { worker_connections %2$d; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                %3$s
                }
                """.formatted(dir, workerConnections, servers));
        Path stdout = dir.resolve("logs/stdout.log");
        Process p = new ProcessBuilder(BINARY, "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return new Nginx(p, port);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("nginx exited: " + Files.readString(stdout)
                            + Files.readString(dir.resolve("logs/error.log")));
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("nginx did not start listening on " + port);
    }

    /** A free loopback port for nginx to listen on. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** The port nginx listens on. */
    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
