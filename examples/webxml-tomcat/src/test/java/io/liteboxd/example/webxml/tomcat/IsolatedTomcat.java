package io.liteboxd.example.webxml.tomcat;

import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat whose web applications see Tomcat and nothing else of this JVM: Tomcat runs in a class loader
 * holding only its own jars (and these test classes), and web applications delegate to it. A web application then
 * links exactly what its {@code WEB-INF/lib} holds, as in a Tomcat installation, instead of falling back on the
 * test class path, which carries Jetty's server for the test upstreams.
 */
final class IsolatedTomcat implements AutoCloseable {

    private final URLClassLoader tomcatLoader;
    private final AutoCloseable stop;
    private final int port;
    private final ClassLoader webappLoader;

    private IsolatedTomcat(URLClassLoader tomcatLoader, Object[] started) {
        this.tomcatLoader = tomcatLoader;
        this.port = (Integer) started[0];
        this.webappLoader = (ClassLoader) started[1];
        this.stop = (AutoCloseable) started[2];
    }

    /** Deploys {@code war} at {@code contextPath} and starts; fails if the context does not come up. */
    static IsolatedTomcat deploy(Path war, String contextPath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Tomcat.class, org.apache.tomcat.websocket.server.WsSci.class,
                jakarta.annotation.PostConstruct.class, IsolatedTomcat.class}) {
            URL location = c.getProtectionDomain().getCodeSource().getLocation();
            if (!urls.contains(location)) {
                urls.add(location);
            }
        }
        URLClassLoader loader = new URLClassLoader("isolated-tomcat", urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        try {
            Class<?> inside = Class.forName(Inside.class.getName(), true, loader);
            Object[] started = (Object[]) inside.getMethod("start", String.class, String.class)
                    .invoke(null, war.toAbsolutePath().toString(), contextPath);
            return new IsolatedTomcat(loader, started);
        } catch (java.lang.reflect.InvocationTargetException e) {
            loader.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The class loader of the deployed web application. */
    ClassLoader webappLoader() {
        return webappLoader;
    }

    @Override
    public void close() throws Exception {
        try {
            stop.close();
        } finally {
            tomcatLoader.close();
        }
    }

    /** Runs inside the isolated loader: only Tomcat and JDK types cross the boundary. */
    public static final class Inside {

        private Inside() {
        }

        /** @return the port, the web application's class loader, and what stops Tomcat */
        public static Object[] start(String war, String contextPath) throws Exception {
            // The JVM takes one URL stream handler factory, for good: another Tomcat in this JVM (the other tests
            // of this module) may have set its own, and if this copy set one, theirs would fail to start later.
            org.apache.catalina.webresources.TomcatURLStreamHandlerFactory.disable();
            EmbeddedTomcat tomcat = new EmbeddedTomcat(Inside.class.getClassLoader());
            Context context = tomcat.addWebapp(contextPath, Path.of(war));
            tomcat.start();
            if (!context.getState().isAvailable()) {
                tomcat.stop();
                throw new IllegalStateException("the web application did not start (see the log above)");
            }
            AutoCloseable stop = tomcat::stop;
            return new Object[] {tomcat.baseUri().getPort(), context.getLoader().getClassLoader(), stop};
        }
    }
}
