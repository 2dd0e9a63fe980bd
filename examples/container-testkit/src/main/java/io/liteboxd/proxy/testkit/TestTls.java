package io.liteboxd.proxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made once per JVM with the JDK's own
 * {@code keytool} (no extra dependency), for an upstream served over TLS, and a client context that trusts only it.
 */
public final class TestTls {

    /** The key store's and the key's password. */
    public static final String PASSWORD = "liteboxd-test";

    private static KeyStore keyStore;

    private TestTls() {
    }

    /** The server's key store (PKCS#12), made on first use. */
    public static synchronized KeyStore keyStore() {
        if (keyStore == null) {
            keyStore = generate();
        }
        return keyStore;
    }

    /** A client TLS context that trusts the test certificate alone. */
    public static SSLContext clientContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the test TLS client context", e);
        }
    }

    private static KeyStore generate() {
        try {
            Path dir = Files.createTempDirectory("liteboxd-tls");
            Path file = dir.resolve("upstream.p12");
            String java = ProcessHandle.current().info().command().orElse("java");
            Path keytool = Path.of(java).resolveSibling("keytool");
            Process p = new ProcessBuilder(List.of(Files.isExecutable(keytool) ? keytool.toString() : "keytool",
                    "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD,
                    "-keypass", PASSWORD)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, PASSWORD.toCharArray());
            }
            Files.delete(file);
            Files.delete(dir);
            return store;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the test certificate", e);
        }
    }
}
