package io.liteboxd.example.webxml;

import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import java.util.ArrayList;
import java.util.List;

/**
 * The example's sandbox registry, read once from the system property {@code example.sandboxes} or else the
 * environment variable {@code EXAMPLE_SANDBOXES}: {@code id=host:token[,id=host:token...]}.
 *
 * <p>A stand-in for your own registry (a database, an informer): the two SPI classes named in {@code web.xml} are
 * thin views of it, because a servlet container creates each of them with a no-arg constructor.
 */
final class ExampleSandboxes {

    private static volatile StaticSandboxes loaded;

    private ExampleSandboxes() {
    }

    static StaticSandboxes get() {
        StaticSandboxes s = loaded;
        if (s == null) {
            synchronized (ExampleSandboxes.class) {
                s = loaded;
                if (s == null) {
                    s = parse(System.getProperty("example.sandboxes", System.getenv("EXAMPLE_SANDBOXES")));
                    loaded = s;
                }
            }
        }
        return s;
    }

    static StaticSandboxes parse(String spec) {
        List<StaticSandboxes.Entry> entries = new ArrayList<>();
        if (spec != null) {
            for (String item : spec.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                int eq = item.indexOf('=');
                int colon = item.lastIndexOf(':');
                if (eq <= 0 || colon <= eq) {
                    throw new IllegalArgumentException("example.sandboxes: expected id=host:token, got " + item);
                }
                String id = item.substring(0, eq).trim();
                entries.add(new StaticSandboxes.Entry(Sandbox.ready(id, item.substring(eq + 1, colon).trim()),
                        item.substring(colon + 1).trim()));
            }
        }
        return new StaticSandboxes(entries);
    }
}
