package io.liteboxd.proxy.kubernetes.standin;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An in-process stand-in for {@code kube-apiserver}, faithful in the parts the gateway relies on:
 *
 * <ul>
 *   <li>HTTPS only, with a server certificate from a {@link TestPki}; client certificates from the same CA are
 *       requested and, when presented, authenticate the caller, as does a known bearer token. Anything else
 *       answers 401 with a {@code Status} body.</li>
 *   <li>{@code GET /api/v1/namespaces/{ns}/pods} (list, label selector), {@code ?watch=true} (a chunked stream of
 *       JSON watch events starting after {@code resourceVersion}, ended after {@code timeoutSeconds}) and
 *       {@code GET .../pods/{name}}.</li>
 *   <li>{@code .../pods/{name}:{port}/proxy/{path}} for every method: the request goes to the pod's
 *       {@code status.podIP}:{port} with {@code Authorization} removed and the caller's address appended to
 *       {@code X-Forwarded-For}. Body and response (HTTP) or both directions after the 101 (WebSocket) are copied
 *       byte for byte, never parsed as frames, like the real upgrade-aware proxy.</li>
 * </ul>
 *
 * <p>Departures from the real server, on purpose: loopback pod IPs are allowed (the test backends listen on
 * 127.0.0.1; the real server refuses them), and the query string is kept on upgrades unless
 * {@link #dropQueryOnUpgrade(boolean)} asks for the real server's behaviour. One thread per connection; meant for
 * tests, not load.
 */
public final class ApiServerStandin implements Closeable {

    /** One request that went through the pod proxy, as the stand-in forwarded it to the backend. */
    public record ProxiedRequest(String method, String target, Map<String, List<String>> headers,
                                 String authenticatedAs) {
        /** First value of a header (case-insensitive), or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private static final Pattern PODS = Pattern.compile("/api/v1/namespaces/([^/]+)/pods");
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/:]+)");
    private static final Pattern PROXY =
            Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/:]+)(?::(\\d+))?/proxy(/.*)?");
    private static final String END = "\u0000end";

    private final SSLServerSocket server;
    private final String namespace;
    private final ExecutorService threads;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final List<ProxiedRequest> proxied = new CopyOnWriteArrayList<>();
    private final List<String> authentications = new CopyOnWriteArrayList<>();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final AtomicInteger listCalls = new AtomicInteger();
    private final Object lock = new Object();
    private final Map<String, V1Pod> pods = new LinkedHashMap<>();
    private final List<Event> history = new ArrayList<>();
    private long resourceVersion = 100;
    private volatile boolean listUnavailable;
    private volatile boolean dropQueryOnUpgrade;

    private record Event(long rv, String type, V1Pod pod) {
    }

    private record Watch(Selector selector, BlockingQueue<String> queue) {
    }

    private ApiServerStandin(SSLServerSocket server, String namespace) {
        this.server = server;
        this.namespace = namespace;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "apiserver-standin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts on 127.0.0.1 with an ephemeral port, serving {@code namespace}. */
    public static ApiServerStandin start(TestPki pki, String namespace) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) pki.serverContext(pki.server()).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // "want", not "need": bearer-token callers present no certificate, as with the real API server.
        socket.setWantClientAuth(true);
        ApiServerStandin standin = new ApiServerStandin(socket, namespace);
        standin.threads.execute(standin::acceptLoop);
        return standin;
    }

    /** {@code https://127.0.0.1:{port}}. */
    public URI uri() {
        return URI.create("https://127.0.0.1:" + server.getLocalPort());
    }

    public String namespace() {
        return namespace;
    }

    /** Accept this bearer token from now on. */
    public void allowToken(String token) {
        tokens.add(token);
    }

    /** Stop accepting this bearer token (a rotated-out token). */
    public void revokeToken(String token) {
        tokens.remove(token);
    }

    /** While true, list and watch answer 503, as an API server that is still starting or overloaded would. */
    public void listUnavailable(boolean unavailable) {
        this.listUnavailable = unavailable;
    }

    /** Mimic the real API server, which drops the query string when it proxies a WebSocket upgrade. */
    public void dropQueryOnUpgrade(boolean drop) {
        this.dropQueryOnUpgrade = drop;
    }

    /** Creates or replaces a pod and notifies the watches (ADDED or MODIFIED). */
    public void apply(V1Pod pod) {
        V1Pod copy = Pods.copy(pod);
        synchronized (lock) {
            String name = copy.getMetadata().getName();
            String type = pods.containsKey(name) ? "MODIFIED" : "ADDED";
            copy.getMetadata().namespace(namespace).resourceVersion(Long.toString(++resourceVersion));
            if (copy.getMetadata().getUid() == null) {
                copy.getMetadata().uid(java.util.UUID.randomUUID().toString());
            }
            pods.put(name, copy);
            publish(new Event(resourceVersion, type, copy));
        }
    }

    /** Deletes a pod and notifies the watches (DELETED); no-op when absent. */
    public void delete(String name) {
        synchronized (lock) {
            V1Pod gone = pods.remove(name);
            if (gone != null) {
                V1Pod copy = Pods.copy(gone);
                copy.getMetadata().resourceVersion(Long.toString(++resourceVersion));
                publish(new Event(resourceVersion, "DELETED", copy));
            }
        }
    }

    /** Ends every open watch stream normally, as the API server does on its own timeout or on a restart. */
    public void endWatches() {
        for (Watch w : watches) {
            w.queue().offer(END);
        }
    }

    /** Number of open watch streams. */
    public int openWatches() {
        return watches.size();
    }

    /** The client ports of the connections open now (API requests, watches and pod-proxy streams). */
    public Set<Integer> openConnections() {
        Set<Integer> ports = new HashSet<>();
        for (Socket s : connections) {
            if (!s.isClosed()) {
                ports.add(s.getPort());
            }
        }
        return ports;
    }

    /** Number of list requests served (successful or not). */
    public int listCalls() {
        return listCalls.get();
    }

    /** Requests forwarded by the pod proxy, oldest first. */
    public List<ProxiedRequest> proxiedRequests() {
        return List.copyOf(proxied);
    }

    /** How each authenticated API request was authenticated: {@code bearer} or {@code x509:{subject}}. */
    public List<String> authentications() {
        return List.copyOf(authentications);
    }

    @Override
    public void close() throws IOException {
        server.close();
        endWatches();
        for (Socket s : connections) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    private void publish(Event e) {
        history.add(e);
        String line = eventJson(e);
        for (Watch w : watches) {
            if (w.selector().matches(e.pod())) {
                w.queue().offer(line);
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.add(s);
                threads.execute(() -> {
                    try {
                        serve((SSLSocket) s);
                    } catch (IOException | RuntimeException e) {
                        // Handshake failures (wrong CA, no TLS) and peers that hang up end up here.
                    } finally {
                        connections.remove(s);
                        closeQuietly(s);
                    }
                });
            } catch (IOException e) {
                if (!server.isClosed()) {
                    continue;
                }
                return;
            }
        }
    }

    private void serve(SSLSocket socket) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        while (true) {
            Request req = Request.read(in);
            if (req == null) {
                return;
            }
            String principal = authenticate(socket, req);
            if (principal == null) {
                req.skipBody(in);
                status(out, 401, "Unauthorized", "Unauthorized");
                continue;
            }
            authentications.add(principal);
            String path = req.path();
            Matcher m;
            if ((m = PROXY.matcher(path)).matches()) {
                int port = m.group(3) == null ? 80 : Integer.parseInt(m.group(3));
                proxy(socket, in, out, req, m.group(1), m.group(2), port, m.group(4) == null ? "" : m.group(4),
                        principal);
                return;
            } else if ((m = PODS.matcher(path)).matches() && req.method().equals("GET")) {
                Map<String, String> q = req.queryParameters();
                if (listUnavailable) {
                    listCalls.incrementAndGet();
                    status(out, 503, "ServiceUnavailable", "the stand-in is unavailable");
                } else if ("true".equals(q.get("watch")) || "1".equals(q.get("watch"))) {
                    watch(socket, in, out, m.group(1), q);
                    return;
                } else {
                    listCalls.incrementAndGet();
                    json(out, 200, list(m.group(1), new Selector(q.get("labelSelector"))));
                }
            } else if ((m = POD.matcher(path)).matches() && req.method().equals("GET")) {
                V1Pod pod;
                synchronized (lock) {
                    pod = namespace.equals(m.group(1)) ? pods.get(m.group(2)) : null;
                }
                if (pod == null) {
                    status(out, 404, "NotFound", "pods \"" + m.group(2) + "\" not found");
                } else {
                    json(out, 200, JSON.serialize(pod));
                }
            } else {
                req.skipBody(in);
                status(out, 404, "NotFound", "the server could not find the requested resource");
            }
        }
    }

    private String authenticate(SSLSocket socket, Request req) {
        String auth = req.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.contains(auth.substring(7).trim())) {
            return "bearer";
        }
        try {
            Certificate[] peer = socket.getSession().getPeerCertificates();
            // The TLS layer has already checked the chain against our CA.
            return "x509:" + ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private String list(String ns, Selector selector) {
        StringBuilder items = new StringBuilder();
        long rv;
        synchronized (lock) {
            rv = resourceVersion;
            if (namespace.equals(ns)) {
                for (V1Pod p : pods.values()) {
                    if (selector.matches(p)) {
                        items.append(items.length() == 0 ? "" : ",").append(JSON.serialize(p));
                    }
                }
            }
        }
        return "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"},"
                + "\"items\":[" + items + "]}";
    }

    private void watch(Socket socket, InputStream in, OutputStream out, String ns, Map<String, String> q)
            throws IOException {
        Selector selector = new Selector(q.get("labelSelector"));
        long since = parseLong(q.get("resourceVersion"), 0);
        int timeoutSeconds = (int) parseLong(q.get("timeoutSeconds"), 0);
        Watch w = new Watch(selector, new LinkedBlockingQueue<>());
        List<String> backlog = new ArrayList<>();
        synchronized (lock) {
            if (namespace.equals(ns)) {
                for (Event e : history) {
                    if (e.rv() > since && selector.matches(e.pod())) {
                        backlog.add(eventJson(e));
                    }
                }
                watches.add(w);
            }
        }
        try {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                    + "Cache-Control: no-cache, private\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String line : backlog) {
                chunk(out, line + "\n");
            }
            out.flush();
            long deadline = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds) : 0;
            while (deadline == 0 || System.nanoTime() < deadline) {
                String line = w.queue().poll(200, TimeUnit.MILLISECONDS);
                if (END.equals(line) || (line == null && hungUp(socket, in))) {
                    break;
                }
                if (line != null) {
                    chunk(out, line + "\n");
                    out.flush();
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watches.remove(w);
        }
    }

    /**
     * Whether the watch's client has closed the connection. The real API server ends a watch as soon as its client
     * hangs up, not at the next event; the client sends nothing on a watch, so one short read tells.
     */
    private static boolean hungUp(Socket socket, InputStream in) {
        try {
            socket.setSoTimeout(1);
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            try {
                socket.setSoTimeout(0);
            } catch (IOException e) {
                // closed: the next write says so
            }
        }
    }

    private void proxy(Socket client, InputStream in, OutputStream out, Request req, String ns, String podName,
                       int port, String rest, String principal) throws IOException {
        V1Pod pod;
        synchronized (lock) {
            pod = namespace.equals(ns) ? pods.get(podName) : null;
        }
        if (pod == null) {
            req.skipBody(in);
            status(out, 404, "NotFound", "pods \"" + podName + "\" not found");
            return;
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null) {
            req.skipBody(in);
            status(out, 503, "ServiceUnavailable", "pod " + podName + " has no IP address");
            return;
        }
        boolean upgrade = req.hasToken("Connection", "upgrade") && req.header("Upgrade") != null;
        Socket backend = new Socket();
        try {
            backend.connect(new InetSocketAddress(ip, port), 5000);
        } catch (IOException e) {
            closeQuietly(backend);
            req.skipBody(in);
            status(out, 502, "ServiceUnavailable", "error trying to reach service: " + e.getMessage());
            return;
        }
        connections.add(backend);
        try (backend) {
            String clientIp = ((InetSocketAddress) client.getRemoteSocketAddress()).getAddress().getHostAddress();
            String query = req.query() == null || (upgrade && dropQueryOnUpgrade) ? "" : "?" + req.query();
            String target = (rest.isEmpty() ? "/" : rest) + query;
            StringBuilder head = new StringBuilder(req.method()).append(' ').append(target).append(" HTTP/1.1\r\n");
            Map<String, List<String>> forwarded = new LinkedHashMap<>();
            String xff = null;
            for (String[] h : req.headers()) {
                String lower = h[0].toLowerCase(Locale.ROOT);
                if (lower.equals("authorization") || lower.equals("host")) {
                    continue;  // the API server consumed the credentials; the backend gets its own Host
                }
                if (lower.equals("x-forwarded-for")) {
                    xff = xff == null ? h[1] : xff + ", " + h[1];
                    continue;
                }
                if (!upgrade && (lower.equals("connection") || lower.equals("keep-alive"))) {
                    continue;
                }
                head.append(h[0]).append(": ").append(h[1]).append("\r\n");
                forwarded.computeIfAbsent(lower, k -> new ArrayList<>()).add(h[1]);
            }
            String hostHeader = (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
            head.append("Host: ").append(hostHeader).append("\r\n");
            String newXff = xff == null ? clientIp : xff + ", " + clientIp;
            head.append("X-Forwarded-For: ").append(newXff).append("\r\n");
            forwarded.put("host", List.of(hostHeader));
            forwarded.put("x-forwarded-for", List.of(newXff));
            if (!upgrade) {
                // One request per backend connection keeps the relay simple: the response ends at EOF.
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            proxied.add(new ProxiedRequest(req.method(), target, forwarded, principal));

            OutputStream backendOut = backend.getOutputStream();
            InputStream backendIn = backend.getInputStream();
            backendOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (upgrade) {
                threads.execute(() -> {
                    try {
                        in.transferTo(backendOut);
                    } catch (IOException e) {
                        // the other direction notices the closed sockets
                    } finally {
                        closeQuietly(backend);
                        closeQuietly(client);
                    }
                });
                backendOut.flush();
                try {
                    copyFlushing(backendIn, out);
                } finally {
                    closeQuietly(client);
                }
            } else {
                req.copyBody(in, backendOut);
                backendOut.flush();
                copyFlushing(backendIn, out);
            }
        } finally {
            connections.remove(backend);
        }
    }

    private static void copyFlushing(InputStream from, OutputStream to) throws IOException {
        byte[] buf = new byte[16384];
        int n;
        try {
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (SocketException e) {
            // A closed peer ends the relay.
        }
    }

    private static void chunk(OutputStream out, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void json(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static void status(OutputStream out, int code, String reason, String message) throws IOException {
        json(out, code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":" + JSON.serialize(message) + ",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private static String eventJson(Event e) {
        return "{\"type\":\"" + e.type() + "\",\"object\":" + JSON.serialize(e.pod()) + "}";
    }

    private static long parseLong(String s, long dflt) {
        try {
            return s == null || s.isEmpty() ? dflt : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }

    /** Equality-based label selectors: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}. */
    private record Selector(String text) {
        boolean matches(V1Pod pod) {
            if (text == null || text.isBlank()) {
                return true;
            }
            Map<String, String> labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                    ? Map.of() : pod.getMetadata().getLabels();
            for (String term : text.split(",")) {
                String t = term.trim();
                boolean ok;
                if (t.contains("!=")) {
                    String[] kv = t.split("!=", 2);
                    ok = !kv[1].trim().equals(labels.get(kv[0].trim()));
                } else if (t.contains("=")) {
                    String[] kv = t.split("==?", 2);
                    ok = kv[1].trim().equals(labels.get(kv[0].trim()));
                } else if (t.startsWith("!")) {
                    ok = !labels.containsKey(t.substring(1).trim());
                } else {
                    ok = labels.containsKey(t);
                }
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A parsed HTTP/1.1 request head; the body stays in the stream. */
    private record Request(String method, String rawTarget, List<String[]> headers) {

        static Request read(InputStream in) throws IOException {
            String line = readLine(in);
            while (line != null && line.isEmpty()) {
                line = readLine(in);
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3) {
                throw new IOException("bad request line: " + line);
            }
            List<String[]> headers = new ArrayList<>();
            String h;
            while ((h = readLine(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
                }
            }
            return new Request(parts[0], parts[1], headers);
        }

        String path() {
            int q = rawTarget.indexOf('?');
            return q < 0 ? rawTarget : rawTarget.substring(0, q);
        }

        String query() {
            int q = rawTarget.indexOf('?');
            return q < 0 ? null : rawTarget.substring(q + 1);
        }

        Map<String, String> queryParameters() {
            Map<String, String> out = new LinkedHashMap<>();
            String q = query();
            if (q != null) {
                for (String pair : q.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    out.put(k, v);
                }
            }
            return out;
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        boolean hasToken(String name, String token) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    for (String t : h[1].split(",")) {
                        if (t.trim().equalsIgnoreCase(token)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        void skipBody(InputStream in) throws IOException {
            copyBody(in, OutputStream.nullOutputStream());
        }

        /** Copies the body exactly as framed (Content-Length or chunked), leaving the next request in the stream. */
        void copyBody(InputStream in, OutputStream out) throws IOException {
            String te = header("Transfer-Encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                while (true) {
                    String sizeLine = readLine(in);
                    if (sizeLine == null) {
                        throw new IOException("truncated chunked body");
                    }
                    out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    int semi = sizeLine.indexOf(';');
                    long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                    if (size == 0) {
                        String trailer;
                        while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
                            out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        return;
                    }
                    copyExactly(in, out, size + 2);
                }
            }
            String cl = header("Content-Length");
            if (cl != null) {
                copyExactly(in, out, Long.parseLong(cl.trim()));
            }
        }

        private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
            byte[] buf = new byte[8192];
            while (n > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new IOException("truncated body");
                }
                out.write(buf, 0, r);
                n -= r;
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    byte[] b = line.toByteArray();
                    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    return new String(b, 0, len, StandardCharsets.ISO_8859_1);
                }
                line.write(c);
                if (line.size() > 65536) {
                    throw new IOException("header line too long");
                }
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
