package io.liteboxd.bench.contenders;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The other Java HTTP proxies, each in the same embedded Jetty 12 (ee10) the gateway runs in, with the same thread
 * pool bound, behind the same route prefix and token check:
 * <ul>
 *   <li>{@code --kind jetty-proxy}: Jetty's own {@link AsyncProxyServlet} (what the library's HTTP leg is built
 *       on), with only the target rewritten;</li>
 *   <li>{@code --kind smiley}: smiley-http-proxy-servlet 2.0 (the jakarta flavour; blocking servlet on Apache
 *       HttpClient 4), with its pool raised from HttpClient's default to 200 connections.</li>
 * </ul>
 * {@code JavaProxies --kind K --port P --prefix /api/v1/sandbox/bench/port/U --upstream http://127.0.0.1:U --token t}
 */
public final class JavaProxies {

    private JavaProxies() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = parse(argv);
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
        ServletHolder holder;
        switch (kind) {
            case "jetty-proxy" -> {
                holder = new ServletHolder(new PlainAsyncProxy(prefix, upstream));
                holder.setInitParameter("idleTimeout", "30000");
                holder.setInitParameter("timeout", "0");
            }
            case "smiley" -> {
                holder = new ServletHolder(new org.mitre.dsmiley.httpproxy.ProxyServlet());
                holder.setInitParameter("targetUri", upstream);
                holder.setInitParameter("log", "false");
                holder.setInitParameter("forwardip", "true");
                holder.setInitParameter("http.maxConnections", "200");
                holder.setInitParameter("http.read.timeout", "30000");
            }
            default -> throw new IllegalArgumentException("unknown --kind " + kind);
        }
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

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            m.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        return m;
    }

    /** Jetty's AsyncProxyServlet with the route prefix removed from the target. */
    public static final class PlainAsyncProxy extends AsyncProxyServlet {
        private final String prefix;
        private final String upstream;

        PlainAsyncProxy(String prefix, String upstream) {
            this.prefix = prefix;
            this.upstream = upstream;
        }

        @Override
        protected String rewriteTarget(HttpServletRequest request) {
            String uri = request.getRequestURI();
            String rest = uri.startsWith(prefix) ? uri.substring(prefix.length()) : uri;
            String query = request.getQueryString();
            return upstream + (rest.isEmpty() ? "/" : rest) + (query == null ? "" : "?" + query);
        }
    }

    /** The same admission the other contenders do: a fixed X-Access-Token, or 401. */
    static final class TokenFilter implements Filter {
        private final String token;

        TokenFilter(String token) {
            this.token = token;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            if (!token.equals(((HttpServletRequest) req).getHeader("X-Access-Token"))) {
                ((HttpServletResponse) res).sendError(401);
                return;
            }
            chain.doFilter(req, res);
        }
    }
}
