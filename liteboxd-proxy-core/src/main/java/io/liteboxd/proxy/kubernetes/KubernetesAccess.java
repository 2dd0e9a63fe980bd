package io.liteboxd.proxy.kubernetes;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.SSLUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the gateway reaches the Kubernetes API server: its URL, the TLS trust and client identity, and the
 * {@code Authorization} header, all read from a kubeconfig or the in-cluster service account the way the official
 * Java client reads them.
 *
 * <p>One instance serves both the API-server proxy connector (HTTP and WebSocket through the gateway's own client)
 * and the pod informer (through an {@link ApiClient} made by {@link #newApiClient()}), so both trust exactly the
 * same CA and present the same credentials.
 *
 * <p>Credentials that change while the gateway runs are re-evaluated per connection: a token file (kubeconfig
 * {@code tokenFile}, the projected service-account token) is re-read as soon as it changes; exec plugins and auth
 * providers (OIDC) are asked again after {@link KubernetesSettings#tokenRefreshPeriod()}. Client certificates and
 * the CA are read once at start-up.
 *
 * <p>Not supported: {@code tls-server-name} (verification uses the host of the server URL) and client certificates
 * that an exec plugin rotates (the first one is used until restart).
 */
public final class KubernetesAccess {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesAccess.class);

    /** The official client's in-cluster service-account directory. */
    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private final URI server;
    private final SSLContext sslContext;
    private final X509TrustManager trustManager;
    private final boolean verifyTls;
    private final CredentialSource credentials;
    private final String source;

    private KubernetesAccess(URI server, SSLContext sslContext, X509TrustManager trustManager, boolean verifyTls,
                             CredentialSource credentials, String source) {
        this.server = server;
        this.sslContext = sslContext;
        this.trustManager = trustManager;
        this.verifyTls = verifyTls;
        this.credentials = credentials;
        this.source = source;
    }

    /**
     * Loads credentials in the official client's order ({@code ClientBuilder.standard()}): the explicit
     * {@link KubernetesSettings#kubeconfig()} (or env {@code LITEBOXD_KUBECONFIG} through
     * {@link KubernetesSettings#from}), then the first existing file in {@code KUBECONFIG}, then
     * {@code $HOME/.kube/config}, then the in-cluster service account.
     *
     * @param env the process environment ({@code System.getenv()}), a parameter so that tests can choose
     * @throws IllegalStateException when no configuration is found or it cannot be used, with the reason
     */
    public static KubernetesAccess load(KubernetesSettings settings, Map<String, String> env) {
        Objects.requireNonNull(settings, "settings");
        Map<String, String> environment = env == null ? Map.of() : env;
        Duration refresh = settings.tokenRefreshPeriod();
        if (settings.kubeconfig().isPresent()) {
            return fromKubeconfig(settings.kubeconfig().get(), refresh);
        }
        String fromEnv = environment.get("KUBECONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            for (String candidate : fromEnv.split(java.io.File.pathSeparator)) {
                if (!candidate.isBlank() && Files.isRegularFile(Path.of(candidate.trim()))) {
                    return fromKubeconfig(Path.of(candidate.trim()), refresh);
                }
            }
            LOG.debug("No file named in KUBECONFIG exists: {}", fromEnv);
        }
        String home = environment.get("HOME");
        if (home != null && !home.isBlank()) {
            Path config = Path.of(home, ".kube", "config");
            if (Files.isRegularFile(config)) {
                return fromKubeconfig(config, refresh);
            }
        }
        if (Files.exists(SERVICE_ACCOUNT_DIR.resolve("ca.crt"))) {
            return inCluster(SERVICE_ACCOUNT_DIR, environment);
        }
        throw new IllegalStateException("no Kubernetes configuration found: set a kubeconfig file, KUBECONFIG, "
                + "$HOME/.kube/config, or run in a pod with a service account");
    }

    /** Reads one kubeconfig file (its current context), resolving relative file references against its folder. */
    public static KubernetesAccess fromKubeconfig(Path file, Duration tokenRefreshPeriod) {
        Objects.requireNonNull(file, "file");
        KubeConfig kc;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            kc = KubeConfig.loadKubeConfig(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("kubeconfig " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("kubeconfig " + file + ": cannot be read: " + e.getMessage(), e);
        }
        kc.setFile(file.toAbsolutePath().toFile());
        String where = "kubeconfig " + file + " (context " + kc.getCurrentContext() + ")";
        try {
            return fromKubeConfig(kc, file.toAbsolutePath().getParent(), tokenRefreshPeriod, where);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The in-cluster configuration: {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, the
     * service-account CA {@code ca.crt}, and the (rotating) service-account {@code token} file.
     *
     * @param serviceAccountDir normally {@link #SERVICE_ACCOUNT_DIR}
     */
    public static KubernetesAccess inCluster(Path serviceAccountDir, Map<String, String> env) {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        String port = env.get("KUBERNETES_SERVICE_PORT");
        if (host == null || host.isBlank() || port == null || port.isBlank()) {
            throw new IllegalStateException("in-cluster configuration needs KUBERNETES_SERVICE_HOST and "
                    + "KUBERNETES_SERVICE_PORT");
        }
        String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        try {
            URI server = new URI("https://" + authority + ":" + port.trim());
            byte[] ca = Files.readAllBytes(serviceAccountDir.resolve("ca.crt"));
            X509TrustManager tm = trustManagerFor(ca);
            SSLContext ctx = sslContext(null, tm);
            // The kubelet rotates the projected token well before expiry; re-read it when it changes.
            CredentialSource token = new CredentialSource.TokenFile(serviceAccountDir.resolve("token"),
                    Duration.ofMinutes(1));
            return new KubernetesAccess(server, ctx, tm, true, token, "in-cluster service account");
        } catch (IOException | GeneralSecurityException | URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("in-cluster configuration: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static KubernetesAccess fromKubeConfig(KubeConfig kc, Path baseDir, Duration refresh, String where)
            throws IOException, GeneralSecurityException {
        String serverText = kc.getServer();
        if (serverText == null || serverText.isBlank()) {
            throw new IllegalStateException("no cluster server for the current context");
        }
        if (!serverText.contains("://")) {
            // The official client's rule for scheme-less servers.
            serverText = (serverText.contains(":443") ? "https://" : "http://") + serverText;
        }
        URI server;
        try {
            server = new URI(serverText);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("server is not a URI: " + serverText);
        }
        if (server.getHost() == null || !("https".equals(server.getScheme()) || "http".equals(server.getScheme()))) {
            throw new IllegalStateException("server must be an http(s) URL with a host: " + serverText);
        }

        boolean verify = kc.verifySSL();
        X509TrustManager tm;
        if (!verify) {
            LOG.warn("{}: insecure-skip-tls-verify is set, the API server's certificate is not checked", where);
            tm = new TrustEverything();
        } else {
            byte[] ca = kc.getDataOrFileRelative(kc.getCertificateAuthorityData(), kc.getCertificateAuthorityFile());
            tm = ca == null ? defaultTrustManager() : trustManagerFor(ca);
        }
        if (kc.getTlsServerName() != null && !kc.getTlsServerName().isBlank()) {
            LOG.warn("{}: tls-server-name is not supported; the certificate is checked against {}", where,
                    server.getHost());
        }

        Map<String, Object> user = currentUser(kc);
        byte[] cert = kc.getDataOrFileRelative(kc.getClientCertificateData(), kc.getClientCertificateFile());
        byte[] key = kc.getDataOrFileRelative(kc.getClientKeyData(), kc.getClientKeyFile());

        CredentialSource credentials = CredentialSource.NONE;
        if (user.containsKey("auth-provider") || user.containsKey("exec")) {
            // The official client runs the plugin / refreshes the provider; ask it once now to fail early.
            Map<String, String> first = kc.getCredentials();
            if (first != null && first.get(KubeConfig.CRED_TOKEN_KEY) != null) {
                credentials = new CredentialSource.Refreshing(kc::getCredentials, refresh, System::nanoTime);
                credentials.authorization();
            } else if (first != null && first.get(KubeConfig.CRED_CLIENT_CERTIFICATE_DATA_KEY) != null
                    && cert == null) {
                cert = first.get(KubeConfig.CRED_CLIENT_CERTIFICATE_DATA_KEY).getBytes(StandardCharsets.UTF_8);
                key = first.get(KubeConfig.CRED_CLIENT_KEY_DATA_KEY).getBytes(StandardCharsets.UTF_8);
            } else {
                throw new IllegalStateException("the exec plugin / auth provider produced no credentials");
            }
        } else if (user.get("token") instanceof String token && !token.isBlank()) {
            credentials = CredentialSource.bearer(token);
        } else if (user.get("tokenFile") instanceof String tokenFile && !tokenFile.isBlank()) {
            // Relative to the kubeconfig's folder, as kubectl resolves it.
            credentials = new CredentialSource.TokenFile(baseDir.resolve(tokenFile), refresh);
        } else if (kc.getUsername() != null && kc.getPassword() != null) {
            credentials = CredentialSource.basic(kc.getUsername(), kc.getPassword());
        }

        KeyManager[] keyManagers = null;
        if (cert != null && key != null) {
            keyManagers = SSLUtils.keyManagers(cert, key, SSLUtils.recognizePrivateKeyAlgo(key), "", null, null);
        } else if (cert != null || key != null) {
            throw new IllegalStateException("client certificate and client key must be given together");
        }
        if (keyManagers == null && credentials == CredentialSource.NONE) {
            LOG.warn("{}: no credentials for the current user; requests will be anonymous", where);
        }
        return new KubernetesAccess(stripTrailingSlash(server), sslContext(keyManagers, tm), tm, verify, credentials,
                where);
    }

    /** The API server base URL, without trailing slash; may carry a path prefix (e.g. a Rancher cluster URL). */
    public URI server() {
        return server;
    }

    /**
     * TLS for connections to the API server: trusts exactly the kubeconfig CA (the JVM's CAs when it names none,
     * everything with {@code insecure-skip-tls-verify}), and presents the client certificate when there is one.
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** False when the kubeconfig says {@code insecure-skip-tls-verify}: then host names are not checked either. */
    public boolean verifiesTls() {
        return verifyTls;
    }

    /**
     * The {@code Authorization} value for the next API-server request, freshly evaluated (rotated token files and
     * refreshed plugin tokens show up here); empty when only a client certificate authenticates.
     *
     * @throws IllegalStateException when the credentials cannot be obtained at all
     */
    public Optional<String> authorization() {
        return credentials.authorization();
    }

    /**
     * A client for the official API classes and informers with the same trust, client certificate and per-request
     * {@code Authorization} as {@link #authorization()}, and no read timeout, as long-running watches need.
     */
    public ApiClient newApiClient() {
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .sslSocketFactory(sslContext.getSocketFactory(), trustManager)
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(0, TimeUnit.SECONDS)
                .addInterceptor(chain -> {
                    Request request = chain.request();
                    Optional<String> auth = authorization();
                    return chain.proceed(auth.isPresent()
                            ? request.newBuilder().header("Authorization", auth.get()).build()
                            : request);
                });
        if (!verifyTls) {
            http.hostnameVerifier((host, session) -> true);
        }
        ApiClient client = new ApiClient(http.build());
        client.setBasePath(server.toString());
        return client;
    }

    @Override
    public String toString() {
        return "KubernetesAccess{server=" + server + ", from " + source + "}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentUser(KubeConfig kc) {
        String contextName = kc.getCurrentContext();
        Object userName = null;
        for (Object o : nullSafe(kc.getContexts())) {
            Map<String, Object> ctx = (Map<String, Object>) o;
            if (Objects.equals(contextName, ctx.get("name")) && ctx.get("context") instanceof Map<?, ?> c) {
                userName = c.get("user");
            }
        }
        for (Object o : nullSafe(kc.getUsers())) {
            Map<String, Object> u = (Map<String, Object>) o;
            if (userName != null && userName.equals(u.get("name")) && u.get("user") instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
        return Map.of();
    }

    private static List<Object> nullSafe(List<Object> list) {
        return list == null ? List.of() : list;
    }

    private static URI stripTrailingSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
    }

    static X509TrustManager trustManagerFor(byte[] pemCertificates) throws GeneralSecurityException, IOException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> certs = cf.generateCertificates(new ByteArrayInputStream(pemCertificates));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("the certificate authority data holds no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return firstX509(tmf.getTrustManagers());
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return firstX509(tmf.getTrustManagers());
    }

    private static X509TrustManager firstX509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    private static SSLContext sslContext(KeyManager[] keyManagers, X509TrustManager tm)
            throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, new TrustManager[] {tm}, null);
        return ctx;
    }

    /**
     * {@code insecure-skip-tls-verify}. Extends {@link X509ExtendedTrustManager} on purpose: JSSE performs host
     * name verification inside extended trust managers, and wraps plain ones in a manager that would still check
     * the host name.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
