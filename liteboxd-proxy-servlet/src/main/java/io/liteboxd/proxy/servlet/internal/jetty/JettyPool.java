package io.liteboxd.proxy.servlet.internal.jetty;

import jakarta.servlet.ServletContext;
import java.util.concurrent.Executor;

/** The thread pool Jetty publishes to every servlet context. Names no Jetty type, so it loads in any container. */
public final class JettyPool {

    private JettyPool() {
    }

    /** Jetty's server pool, or null outside Jetty. */
    public static Executor of(ServletContext context) {
        return context.getAttribute("org.eclipse.jetty.server.Executor") instanceof Executor e ? e : null;
    }
}
