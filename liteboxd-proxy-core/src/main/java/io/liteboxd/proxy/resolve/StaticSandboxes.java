package io.liteboxd.proxy.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.route.RouteParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A fixed set of sandboxes with their tokens, e.g. from a JSON file:
 * <pre>{"sandboxes":[{"id":"abc12345","host":"127.0.0.1","token":"s3cret"},
 *               {"id":"zz","host":"127.0.0.1","token":"t","ready":false,"ports":[8000,8001]},
 *               {"id":"nb","host":"10.0.0.7","token":"n","keepPrefixPorts":[8888],"preserveHostPorts":[8888]}]}</pre>
 * {@code keepPrefixPorts} and {@code preserveHostPorts} turn on {@code keepPrefix} and {@code preserveHost} (see
 * {@link io.liteboxd.proxy.config.ProxyConfig}) for those ports of that sandbox. An entry may also carry a
 * {@code podName} string: it is for whoever connects through the Kubernetes API server (the standalone gateway reads
 * it), is checked to be a string here and is otherwise ignored, so one file serves both modes.
 * Handy for development, tests and small fixed deployments. Offers a {@link #resolver()} and an
 * {@link #authenticator()}; both are immutable and thread-safe.
 */
public final class StaticSandboxes {

    /** One entry: the sandbox and its access token. */
    public record Entry(Sandbox sandbox, String token) {
    }

    private final Map<String, Entry> byId;

    public StaticSandboxes(List<Entry> entries) {
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (map.putIfAbsent(e.sandbox().id(), e) != null) {
                throw new IllegalArgumentException("duplicate sandbox id: " + e.sandbox().id());
            }
        }
        this.byId = java.util.Collections.unmodifiableMap(map);
    }

    public SandboxResolver resolver() {
        return id -> Optional.ofNullable(byId.get(id)).map(Entry::sandbox);
    }

    public TokenAuthenticator authenticator() {
        return (id, token) -> {
            Entry e = byId.get(id);
            return e != null && AccessTokens.secretEquals(e.token(), token);
        };
    }

    /** The entries in the order they were given (file order for {@link #load}). */
    public List<Entry> entries() {
        return List.copyOf(byId.values());
    }

    /**
     * Reads the JSON file format above.
     *
     * @throws IllegalArgumentException with a message naming the file and the problem (missing file, bad JSON,
     *                                  missing field, bad port, duplicate id)
     */
    public static StaticSandboxes load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** Parses an already-read JSON document of the file format above. */
    public static StaticSandboxes parse(JsonNode root) {
        if (root == null || !root.isObject() || !root.path("sandboxes").isArray()) {
            throw new IllegalArgumentException("expected an object with a \"sandboxes\" array");
        }
        List<Entry> entries = new ArrayList<>();
        int index = 0;
        for (JsonNode node : root.get("sandboxes")) {
            String where = "sandboxes[" + index++ + "]";
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + ": expected an object");
            }
            String id = requiredText(node, "id", where);
            try {
                RouteParser.validateSandboxId(id);
            } catch (ProxyException e) {
                throw new IllegalArgumentException(where + ".id: " + e.getMessage());
            }
            String host = requiredText(node, "host", where);
            String token = requiredText(node, "token", where);
            boolean ready = true;
            if (node.has("ready")) {
                if (!node.get("ready").isBoolean()) {
                    throw new IllegalArgumentException(where + ".ready: expected true or false");
                }
                ready = node.get("ready").booleanValue();
            }
            Set<Integer> ports = ports(node, "ports", where);
            Set<Integer> keepPrefixPorts = ports(node, "keepPrefixPorts", where);
            Set<Integer> preserveHostPorts = ports(node, "preserveHostPorts", where);
            if (node.has("podName") && !node.get("podName").isTextual()) {
                throw new IllegalArgumentException(where + ".podName: expected a string");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!Set.of("id", "host", "token", "ready", "ports", "podName", "keepPrefixPorts", "preserveHostPorts")
                        .contains(f)) {
                    throw new IllegalArgumentException(where + ": unknown field \"" + f + "\"");
                }
            }
            entries.add(new Entry(new Sandbox(id, host, ready, ports, keepPrefixPorts, preserveHostPorts),
                    token));
        }
        return new StaticSandboxes(entries);
    }

    /** An optional array of port numbers. */
    private static Set<Integer> ports(JsonNode node, String field, String where) {
        Set<Integer> ports = new LinkedHashSet<>();
        if (node.has(field)) {
            if (!node.get(field).isArray()) {
                throw new IllegalArgumentException(where + "." + field + ": expected an array of port numbers");
            }
            for (JsonNode p : node.get(field)) {
                if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 1 || p.intValue() > 65535) {
                    throw new IllegalArgumentException(where + "." + field + ": " + p + " is not a port (1-65535)");
                }
                ports.add(p.intValue());
            }
        }
        return ports;
    }

    private static String requiredText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": required non-empty string");
        }
        return v.asText();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
