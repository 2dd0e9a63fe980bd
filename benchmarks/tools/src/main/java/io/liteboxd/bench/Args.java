package io.liteboxd.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} and {@code --flag} command lines. */
public final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    public int getInt(String name, int def) {
        String v = values.get(name);
        return v == null ? def : Integer.parseInt(v);
    }

    public long getLong(String name, long def) {
        String v = values.get(name);
        return v == null ? def : Long.parseLong(v);
    }

    public double getDouble(String name, double def) {
        String v = values.get(name);
        return v == null ? def : Double.parseDouble(v);
    }
}
