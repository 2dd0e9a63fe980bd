package io.liteboxd.proxy.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.UpstreamTarget;
import io.liteboxd.proxy.internal.admission.SandboxGateway;
import io.liteboxd.proxy.internal.auth.TokenSource;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.internal.header.HeaderPolicy;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.route.SandboxRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random header names and {@code Connection}/{@code Upgrade} values against {@link HeaderPolicy}: the
 * gateway's credential and hop-by-hop headers are never forwarded whatever their case or however {@code Connection}
 * lists them, nothing throws, and the WebSocket-upgrade test agrees with a plain token-list reading of the headers.
 */
class HeaderPolicyFuzzTest {

    static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 40_000);
    static final Set<String> NEVER_FORWARDED = Set.of("x-access-token", "connection", "keep-alive", "proxy-connection",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept");
    static final String CLIENT_VALUE = "client-value-7";
    static final HeaderPolicy POLICY = HeaderPolicy.of(ProxyConfig.defaults());
    static final HeaderContext CONTEXT = new HeaderContext(new SandboxGateway.Admission(
            new SandboxRoute("/api/v1/sandbox", "s", 80, "/", null), Sandbox.ready("s", "10.0.0.2"),
            new UpstreamTarget(URI.create("http://10.0.0.2:80/")), TokenSource.HEADER, null, null, false, false),
            "/api/v1/sandbox/s/port/80", "10.0.0.1", false,
            "gw", 80, "id", "HTTP/1.1", false);
    static final String[] NAMES = {"X-Access-Token", "Connection", "Keep-Alive", "Proxy-Connection",
        "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Accept", "Authorization", "Cookie", "X-Custom",
        "Accept", "Origin", "X-Forwarded-For", "Sec-WebSocket-Protocol"};
    static final String[] TOKENS = {"upgrade", "Upgrade", "UPGRADE", "keep-alive", "close", "websocket", "WebSocket",
        "h2c", "x-custom", "X-Custom", "cookie", "authorization", "", " ", "upgrade2", "web socket", "websocket,"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void policyHoldsForRandomHeaders(long seed) {
        Random r = new Random(seed);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ITERATIONS && failures.size() < 10; i++) {
            String name = randomCase(r, NAMES[r.nextInt(NAMES.length)]);
            List<String> connection = randomList(r);
            List<String> upgrade = randomList(r);
            try {
                HeaderBlock request = new HeaderBlock().add(name, CLIENT_VALUE);
                connection.forEach(c -> request.add("Connection", c));
                POLICY.request(request, CONTEXT);
                // The client's value, not the header: the gateway sets some names on its own hop (X-Forwarded-For).
                boolean forwards = request.values(name).stream().anyMatch(v -> v.contains(CLIENT_VALUE));
                String lower = name.toLowerCase(Locale.ROOT);
                if (forwards && NEVER_FORWARDED.contains(lower)) {
                    failures.add("forwards " + name + " with Connection " + connection);
                }
                if (forwards && listed(connection, lower)) {
                    failures.add("forwards " + name + " although Connection " + connection + " names it");
                }
                HeaderBlock response = new HeaderBlock().add(name, "v");
                POLICY.response(response, CONTEXT);
                if (response.contains(name) && (lower.equals("connection")
                        || lower.equals("upgrade") || lower.equals("transfer-encoding")
                        || lower.equals("sec-websocket-accept"))) {
                    failures.add("forwards response header " + name);
                }
                boolean expectUpgrade = listed(connection, "upgrade") && listed(upgrade, "websocket");
                if (HeaderPolicy.isWebSocketUpgrade(connection, upgrade) != expectUpgrade) {
                    failures.add("isWebSocketUpgrade(" + connection + ", " + upgrade + ") != " + expectUpgrade);
                }
            } catch (RuntimeException e) {
                failures.add(name + " / " + connection + " threw " + e);
            }
        }
        assertThat(failures).isEmpty();
    }

    /** Comma-separated, case-insensitive, surrounding whitespace ignored: RFC 9110's list syntax. */
    private static boolean listed(List<String> values, String token) {
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> randomList(Random r) {
        List<String> values = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            StringBuilder v = new StringBuilder();
            int tokens = 1 + r.nextInt(4);
            for (int t = 0; t < tokens; t++) {
                if (t > 0) {
                    v.append(r.nextBoolean() ? "," : " , ");
                }
                v.append(r.nextInt(4) == 0 ? randomCase(r, NAMES[r.nextInt(NAMES.length)]) : TOKENS[r.nextInt(TOKENS.length)]);
            }
            values.add(v.toString());
        }
        return values;
    }

    private static String randomCase(Random r, String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }
}
