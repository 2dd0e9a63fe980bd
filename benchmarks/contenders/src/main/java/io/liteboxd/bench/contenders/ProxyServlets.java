package io.liteboxd.bench.contenders;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;

/**
 * The two servlet proxies and their admission, independent of the container that hosts them, so the Jetty
 * ({@link JavaProxies}) and the Tomcat ({@code TomcatProxies}) contenders run the very same configuration:
 * <ul>
 *   <li>{@code jetty-proxy}: Jetty's own {@link AsyncProxyServlet}, with only the target rewritten;</li>
 *   <li>{@code smiley}: smiley-http-proxy-servlet 2.0 (the jakarta flavour; blocking servlet on Apache HttpClient 4),
 *       with its pool raised from HttpClient's default to 200 connections.</li>
 * </ul>
 * Both are mapped at {@code prefix + "/*"} behind {@link TokenFilter}, with async support on.
 */
public final class ProxyServlets {

    private ProxyServlets() {
    }

    /** {@code --name value} pairs. */
    public static Map<String, String> arguments(String[] argv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            m.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        return m;
    }

    /** A new servlet of the kind, forwarding {@code prefix/rest} to {@code upstream/rest}. */
    public static Servlet servlet(String kind, String prefix, String upstream) {
        return switch (kind) {
            case "jetty-proxy" -> new PlainAsyncProxy(prefix, upstream);
            case "smiley" -> new org.mitre.dsmiley.httpproxy.ProxyServlet();
            default -> throw new IllegalArgumentException("unknown --kind " + kind);
        };
    }

    /**
     * The servlet's init parameters. Jetty's proxy takes its client's executor from the Jetty server it runs in;
     * any other container has none, so there the caller adds {@code maxThreads}.
     */
    public static Map<String, String> initParameters(String kind, String upstream) {
        Map<String, String> p = new LinkedHashMap<>();
        switch (kind) {
            case "jetty-proxy" -> {
                p.put("idleTimeout", "30000");
                p.put("timeout", "0");
            }
            case "smiley" -> {
                p.put("targetUri", upstream);
                p.put("log", "false");
                p.put("forwardip", "true");
                p.put("http.maxConnections", "200");
                p.put("http.read.timeout", "30000");
            }
            default -> throw new IllegalArgumentException("unknown --kind " + kind);
        }
        return p;
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
    public static final class TokenFilter implements Filter {
        private final String token;

        public TokenFilter(String token) {
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
