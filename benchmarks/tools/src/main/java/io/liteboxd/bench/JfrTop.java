package io.liteboxd.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went, from a JFR recording: the hottest methods by own samples and by inclusive samples, and a
 * breakdown into a few buckets that matter for a relay (UTF-8 decoding/encoding, frame parsing/flushing, socket
 * I/O, thread hand-offs, the library's own code). {@code JfrTop --in file.jfr [--top 30]}
 */
public final class JfrTop {

    /** Buckets, first match wins, tested against every frame of a sample's stack from the top. */
    static final Map<String, List<String>> BUCKETS = new LinkedHashMap<>();

    static {
        BUCKETS.put("UTF-8 decode/encode of text frames", List.of("Utf8", "CharsetDecoder", "CharsetEncoder",
                "StringCoding", "String.getBytes", "StringUTF16", "AbstractStringBuilder.append"));
        BUCKETS.put("socket read/write (syscalls)", List.of("sun.nio.ch.SocketDispatcher", "sun.nio.ch.IOUtil",
                "sun.nio.ch.IOVecWrapper", "sun.nio.ch.SocketChannelImpl.write", "sun.nio.ch.SocketChannelImpl.read"));
        BUCKETS.put("thread hand-off (park/unpark, locks, waiting on futures)", List.of("LockSupport",
                "Unsafe.park", "Unsafe.unpark", "AbstractQueuedSynchronizer", "ReentrantLock",
                "CompletableFuture.get", "CompletableFuture.waitingGet", "ReservedThreadExecutor",
                "QueuedThreadPool.execute", "ThreadPoolExecutor.execute", "LinkedBlockingQueue"));
        BUCKETS.put("random numbers (client frame masks)", List.of("SecureRandom", "NativePRNG"));
        BUCKETS.put("selector / event loop", List.of("ManagedSelector", "sun.nio.ch.EPoll", "SelectorImpl",
                "NioEndpoint$Poller"));
        BUCKETS.put("WebSocket frame parse/flush/mask", List.of("websocket.core.internal.Parser",
                "websocket.core.internal.FrameFlusher", "Frame.demask", "websocket.core.internal.Generator",
                "websocket.core.util", "ExtensionStack", "MessageSink", "WebSocketCoreSession", "WebSocketConnection",
                "org.apache.tomcat.websocket"));
        BUCKETS.put("URI parsing and building", List.of("java.net.URI", "HttpURI", "URIUtil"));
        BUCKETS.put("HTTP parse/generate and header handling", List.of("org.eclipse.jetty.http.",
                "org.apache.coyote.http11", "org.apache.tomcat.util.http", "ArrayTrie"));
        BUCKETS.put("proxy and HTTP client logic (Jetty AsyncProxyServlet, HttpClient)",
                List.of("org.eclipse.jetty.ee10.proxy", "org.eclipse.jetty.client"));
        BUCKETS.put("the library (io.liteboxd)", List.of("io.liteboxd."));
        BUCKETS.put("servlet container", List.of("org.eclipse.jetty.ee10.servlet", "org.eclipse.jetty.server",
                "org.apache.catalina", "org.apache.coyote"));
    }

    private JfrTop() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        int top = a.getInt("top", 30);
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> buckets = new LinkedHashMap<>();
        int samples = 0;
        int library = 0;
        try (RecordingFile f = new RecordingFile(Path.of(a.require("in")))) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                samples++;
                self.merge(name(frames.get(0)), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                boolean lib = false;
                for (RecordedFrame fr : frames) {
                    String n = name(fr);
                    if (seen.add(n)) {
                        inclusive.merge(n, 1, Integer::sum);
                    }
                    lib |= n.startsWith("io.liteboxd.");
                }
                if (lib) {
                    library++;
                }
                String bucket = "other";
                outer:
                for (RecordedFrame fr : frames) {
                    String n = name(fr);
                    for (Map.Entry<String, List<String>> b : BUCKETS.entrySet()) {
                        for (String k : b.getValue()) {
                            if (n.contains(k)) {
                                bucket = b.getKey();
                                break outer;
                            }
                        }
                    }
                }
                buckets.merge(bucket, 1, Integer::sum);
            }
        }
        System.out.printf("%d CPU samples (jdk.ExecutionSample)%n%n", samples);
        System.out.println("by bucket (innermost matching frame wins):");
        final int n = samples;
        buckets.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                .forEach(b -> System.out.printf("  %5.1f%%  %s%n", 100.0 * b.getValue() / n, b.getKey()));
        System.out.printf("  (%5.1f%% of samples have io.liteboxd code on the stack)%n%n", 100.0 * library / n);
        System.out.println("top methods by own samples:");
        self.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(top)
                .forEach(x -> System.out.printf("  %5.1f%%  %s%n", 100.0 * x.getValue() / n, x.getKey()));
        System.out.println("\ntop io.liteboxd / websocket methods by inclusive samples:");
        inclusive.entrySet().stream().filter(x -> x.getKey().startsWith("io.liteboxd.")
                        || x.getKey().contains("websocket") || x.getKey().contains("proxy"))
                .sorted((x, y) -> y.getValue() - x.getValue()).limit(top)
                .forEach(x -> System.out.printf("  %5.1f%%  %s%n", 100.0 * x.getValue() / n, x.getKey()));
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }
}
