package io.liteboxd.bench.tomcat;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.resolve.Sandbox;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import io.liteboxd.proxy.servlet.ProxyRegistration;
import io.liteboxd.proxy.servlet.ProxyServlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The library inside embedded Tomcat 11, set up the way the README tells users to: {@link ProxyServlet} with
 * {@link StaticSandboxes} and {@link DirectPodConnector}, registered with {@link ProxyRegistration} from an
 * initializer that runs after {@link WsSci}. Tomcat's defaults are kept except {@code maxConnections}, raised from
 * 8192 so the idle-connections figure can be taken.
 * {@code TomcatGateway --port P --sandbox bench --token t --host 127.0.0.1}
 */
public final class TomcatGateway {

    private TomcatGateway() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        StaticSandboxes sandboxes = new StaticSandboxes(List.of(new StaticSandboxes.Entry(
                new Sandbox(a.get("sandbox"), a.get("host"), true, Set.of()),
                a.get("token"))));
        // No WebSocket limits: the suite holds thousands of connections to its one sandbox, as it does on the gateway.
        ProxyServlet servlet = new ProxyServlet(ProxyConfig.builder().maxConnections(0).maxConnectionsPerSandbox(0)
                .build(), sandboxes.authenticator(),
                sandboxes.resolver(), new DirectPodConnector());

        Path base = Files.createTempDirectory("liteboxd-bench-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(Integer.parseInt(a.get("port")));
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxConnections", "30000");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer(new Register(servlet), null);
        tomcat.start();
        System.out.println("READY port=" + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }

    /** addServlet is only allowed while the context starts. */
    private record Register(ProxyServlet servlet) implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            ProxyRegistration.register(context, servlet);
        }
    }
}
