package io.liteboxd.bench.contenders;

import io.liteboxd.bench.contenders.ProxyServlets.TokenFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The other Java HTTP proxies ({@link ProxyServlets}: {@code --kind jetty-proxy} or {@code smiley}), each in the same
 * embedded Jetty 12 (ee10) the gateway runs in, with the same thread pool bound, behind the same route prefix and
 * token check. Jetty's proxy client shares the server's thread pool, as it does by default in Jetty.
 * {@code JavaProxies --kind K --port P --prefix /api/v1/sandbox/bench/port/U --upstream http://127.0.0.1:U --token t}
 */
public final class JavaProxies {

    private JavaProxies() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = ProxyServlets.arguments(argv);
        String kind = a.get("kind");
        String prefix = a.get("prefix");
        String upstream = a.get("upstream");
        String token = a.get("token");

        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName(kind);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(a.get("port")));
        connector.setIdleTimeout(30_000);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.NO_SESSIONS);
        context.addFilter(new FilterHolder(new TokenFilter(token)), prefix + "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder holder = new ServletHolder(ProxyServlets.servlet(kind, prefix, upstream));
        ProxyServlets.initParameters(kind, upstream).forEach(holder::setInitParameter);
        holder.setAsyncSupported(true);
        holder.setInitOrder(1);
        context.addServlet(holder, prefix + "/*");
        server.setHandler(context);
        server.setStopTimeout(1000);
        server.start();
        System.out.println("READY port=" + connector.getLocalPort());
        System.out.flush();
        server.join();
    }
}
