package io.liteboxd.bench.contenders.tomcat;

import io.liteboxd.bench.contenders.ProxyServlets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * The servlet proxies of {@link ProxyServlets} ({@code --kind jetty-proxy} or {@code smiley}) inside embedded
 * Tomcat 11, with the same connector and thread settings as the library's Tomcat contender ({@code TomcatGateway}:
 * Tomcat's defaults, {@code maxConnections} 30000) and the same servlet configuration, route prefix and token filter
 * as their Jetty versions. One difference Tomcat forces: Jetty's proxy client has no Jetty server pool to share here,
 * so it gets a pool of its own, bounded like the Jetty server's (200 threads).
 * {@code TomcatProxies --kind K --port P --prefix /api/v1/sandbox/bench/port/U --upstream http://127.0.0.1:U --token t}
 */
public final class TomcatProxies {

    private TomcatProxies() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = ProxyServlets.arguments(argv);
        String kind = a.get("kind");
        String prefix = a.get("prefix");
        String upstream = a.get("upstream");

        Path base = Files.createTempDirectory("liteboxd-bench-" + kind + "-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(Integer.parseInt(a.get("port")));
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxConnections", "30000");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());

        FilterDef filter = new FilterDef();
        filter.setFilterName("token");
        filter.setFilter(new ProxyServlets.TokenFilter(a.get("token")));
        // Tomcat refuses startAsync behind a filter that does not declare async support.
        filter.setAsyncSupported("true");
        context.addFilterDef(filter);
        FilterMap map = new FilterMap();
        map.setFilterName("token");
        map.addURLPatternDecoded(prefix + "/*");
        context.addFilterMap(map);

        Wrapper servlet = Tomcat.addServlet(context, kind, ProxyServlets.servlet(kind, prefix, upstream));
        ProxyServlets.initParameters(kind, upstream).forEach(servlet::addInitParameter);
        if (kind.equals("jetty-proxy")) {
            servlet.addInitParameter("maxThreads", "200");
        }
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        context.addServletMappingDecoded(prefix + "/*", kind);

        tomcat.start();
        System.out.println("READY port=" + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }
}
