package io.liteboxd.proxy.reliability.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.logging.JettyLogger;
import org.eclipse.jetty.logging.JettyLoggerFactory;
import org.eclipse.jetty.logging.StdErrAppender;
import org.slf4j.LoggerFactory;

/**
 * Everything the SLF4J provider (jetty-slf4j-impl) writes, teed into a file while the capture is open. Every
 * logger shares the one {@link StdErrAppender}, so redirecting its stream catches all of them with the exact
 * formatting an operator would see, stack traces included.
 */
public final class LogCapture implements AutoCloseable {

    private final StdErrAppender appender;
    private final PrintStream original;
    private final OutputStream file;
    private final Path path;

    private LogCapture(StdErrAppender appender, PrintStream original, OutputStream file, Path path) {
        this.appender = appender;
        this.original = original;
        this.file = file;
        this.path = path;
    }

    /** Starts capturing into {@code ${reliability.logDir}/name}. */
    public static LogCapture start(String name) throws IOException {
        Path dir = Path.of(System.getProperty("reliability.logDir", "target/reliability-logs"));
        Files.createDirectories(dir);
        Path path = dir.resolve(name);
        OutputStream file = Files.newOutputStream(path);
        JettyLogger root = (JettyLogger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        StdErrAppender appender = (StdErrAppender) root.getAppender();
        // Null means "System.err at each write"; the tee keeps writing there too.
        PrintStream original = appender.getStream();
        PrintStream console = original != null ? original : System.err;
        appender.setStream(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                console.write(b);
                file.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                console.write(b, off, len);
                file.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                console.flush();
                file.flush();
            }
        }, true, StandardCharsets.UTF_8));
        return new LogCapture(appender, original, file, path);
    }

    /** Sets a logger's level at run time, e.g. {@code level("io.liteboxd", "DEBUG")}. */
    public static void level(String logger, String level) {
        ((JettyLoggerFactory) LoggerFactory.getILoggerFactory()).setLoggerLevel(logger, level);
    }

    public Path path() {
        return path;
    }

    /** What was captured so far. */
    public String text() throws IOException {
        appender.getStream().flush();
        return Files.readString(path, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        appender.setStream(original);
        file.close();
    }
}
