package io.liteboxd.example.webxml.tomcat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/** An embedded Tomcat on 127.0.0.1:0 with a throw-away base directory, deploying web applications as Tomcat would. */
final class EmbeddedTomcat {

    private final ClassLoader parent;
    private Tomcat tomcat;
    private Path baseDir;
    private Connector connector;

    /** Web applications see the class path of this JVM, as in a plain embedded Tomcat. */
    EmbeddedTomcat() {
        this(null);
    }

    /**
     * @param parent the class loader web applications delegate to after {@code WEB-INF}, or {@code null} for the
     *               system class loader (Tomcat's default)
     */
    EmbeddedTomcat(ClassLoader parent) {
        this.parent = parent;
    }

    private Tomcat tomcat() throws IOException {
        if (tomcat == null) {
            baseDir = Files.createTempDirectory("liteboxd-war-tomcat");
            tomcat = new Tomcat();
            tomcat.setBaseDir(baseDir.toString());
            if (parent != null) {
                tomcat.getServer().setParentClassLoader(parent);
            }
            // No global web.xml defaults: they would add a JSP servlet, and Jasper is not on this class path.
            tomcat.setAddDefaultWebXmlToWebapp(false);
            connector = new Connector("HTTP/1.1");
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            tomcat.getHost().setAppBase(baseDir.toString());
        }
        return tomcat;
    }

    /** Deploys a WAR file or an exploded application directory at {@code contextPath}. */
    Context addWebapp(String contextPath, Path warOrDirectory) throws IOException {
        Context context = tomcat().addWebapp(contextPath, warOrDirectory.toAbsolutePath().toString());
        // A start-up failure of the gateway servlet must fail the deployment, not leave a half-working context.
        ((StandardContext) context).setFailCtxIfServletStartFails(true);
        return context;
    }

    /**
     * The WAR unpacked into a fresh directory with its {@code WEB-INF/web.xml} replaced by {@code webXml}, to deploy
     * the same application with another descriptor.
     */
    Path explodeWithWebXml(Path war, String webXml) throws IOException {
        Path dir = Files.createDirectories(tomcat().getServer().getCatalinaBase().toPath()
                .resolve("exploded-" + System.nanoTime()));
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(Files.newInputStream(war))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("entry outside the WAR root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        Files.writeString(dir.resolve("WEB-INF/web.xml"), webXml);
        return dir;
    }

    void start() throws LifecycleException {
        tomcat.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    void stop() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            if (baseDir != null) {
                try (Stream<Path> files = Files.walk(baseDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
