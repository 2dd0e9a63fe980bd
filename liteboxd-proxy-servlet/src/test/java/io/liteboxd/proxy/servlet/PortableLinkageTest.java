package io.liteboxd.proxy.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The portable part of the servlet module must run in any servlet container, and Tomcat and Undertow ship no Jetty
 * server (nor Jetty and Undertow any Tomcat): a portable class that names a Jetty server or ee10 type, or a Tomcat
 * type, fails there with {@code NoClassDefFoundError} the first time it is loaded. This reads the constant pool of every class the module compiles (class references,
 * descriptors and signatures all live there, as do class names given as strings for reflection) and lists each
 * portable class that mentions one.
 */
class PortableLinkageTest {

    /** Packages allowed to use Jetty's server and ee10 classes: loaded only when the container is Jetty. */
    static final Set<String> JETTY_ONLY_PACKAGES = Set.of(
            "io/liteboxd/proxy/servlet/internal/jetty",
            "io/liteboxd/proxy/servlet/internal/websocket/jetty",
            "io/liteboxd/proxy/servlet/jetty");

    /** Jetty's server side, in internal form; jetty-client, jetty-io, jetty-http and jetty-util are portable. */
    static final List<String> SERVER_ONLY = List.of("org/eclipse/jetty/server/", "org/eclipse/jetty/ee10/");

    /** Packages allowed to use Tomcat's classes: loaded only when the container is Tomcat. */
    static final Set<String> TOMCAT_ONLY_PACKAGES = Set.of("io/liteboxd/proxy/servlet/internal/websocket/tomcat");

    /**
     * Tomcat's server side, in internal form: present only inside Tomcat. (Not all of {@code org/apache/tomcat/}:
     * the bridge names a Tomcat WebSocket property key as a plain string.)
     */
    static final List<String> TOMCAT_ONLY = List.of("org/apache/coyote/", "org/apache/tomcat/util/",
            "org/apache/catalina/");

    @Test
    void portableClassesDoNotLinkJettyServerClasses() throws IOException, URISyntaxException {
        Path classes = Path.of(ProxyServlet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("io/liteboxd/proxy/servlet/ProxyServlet.class")).as("the module's classes").exists();
        Set<String> offenders = new TreeSet<>();
        int portable = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                String pkg = name.substring(0, Math.max(0, name.lastIndexOf('/')));
                boolean jettyOnly = JETTY_ONLY_PACKAGES.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + "/"));
                boolean tomcatOnly = TOMCAT_ONLY_PACKAGES.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + "/"));
                List<String> hits = new ArrayList<>();
                if (!jettyOnly) {
                    hits.addAll(references(file, SERVER_ONLY));
                }
                if (!tomcatOnly) {
                    hits.addAll(references(file, TOMCAT_ONLY));
                }
                if (!jettyOnly && !tomcatOnly) {
                    portable++;
                }
                if (!hits.isEmpty()) {
                    offenders.add(name.substring(0, name.length() - ".class".length()) + " -> " + hits);
                }
            }
        }
        assertThat(portable).as("portable classes scanned").isGreaterThan(10);
        assertThat(offenders).as("classes that reference another container's types").isEmpty();
    }

    @Test
    void theScannerSeesAReferenceWhereThereIsOne() throws IOException, URISyntaxException {
        // Guards the scanner itself: a Jetty-only class of the module must show up, or the test above proves nothing.
        Path classes = Path.of(ProxyServlet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path tunnel = classes.resolve("io/liteboxd/proxy/servlet/internal/websocket/jetty");
        assertThat(tunnel).isDirectory();
        boolean seen = false;
        try (Stream<Path> files = Files.list(tunnel)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                seen |= !serverReferences(file).isEmpty();
            }
        }
        assertThat(seen).isTrue();
        Path tomcat = classes.resolve("io/liteboxd/proxy/servlet/internal/websocket/tomcat");
        assertThat(tomcat).isDirectory();
        boolean seenTomcat = false;
        try (Stream<Path> files = Files.list(tomcat)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                seenTomcat |= !references(file, TOMCAT_ONLY).isEmpty();
            }
        }
        assertThat(seenTomcat).isTrue();
    }

    static List<String> serverReferences(Path classFile) throws IOException {
        return references(classFile, SERVER_ONLY);
    }

    /** The distinct names starting with one of {@code prefixes} in the constant pool's UTF-8 entries of one class file. */
    static List<String> references(Path classFile, List<String> prefixes) throws IOException {
        List<String> hits = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(classFile);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file: " + classFile);
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> {
                        String utf8 = in.readUTF().replace('.', '/');
                        for (String prefix : prefixes) {
                            int at = utf8.indexOf(prefix);
                            if (at >= 0) {
                                int end = at;
                                while (end < utf8.length() && ";<>()[".indexOf(utf8.charAt(end)) < 0) {
                                    end++;
                                }
                                String type = utf8.substring(at, end);
                                if (!hits.contains(type)) {
                                    hits.add(type);
                                }
                            }
                        }
                    }
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;  // eight-byte constants take two slots
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
        }
        return hits;
    }
}
