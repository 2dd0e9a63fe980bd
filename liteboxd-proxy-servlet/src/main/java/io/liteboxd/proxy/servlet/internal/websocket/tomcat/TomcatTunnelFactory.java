package io.liteboxd.proxy.servlet.internal.websocket.tomcat;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.TunnelRelay;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;

/**
 * Creates {@link TunnelRelay}s whose client leg is Tomcat's own socket, handed over through an internal upgrade
 * handler ({@link TomcatLeg}). Instantiated by name; the constructor fails (and the Jakarta bridge is used) when this
 * context is not Tomcat 10.1 or later, or when the Tomcat classes this library sees are not the container's (a webapp
 * that bundles its own copy), since Tomcat recognises an internal handler by its own interface only.
 */
public final class TomcatTunnelFactory extends TunnelRelay.Factory {

    public TomcatTunnelFactory(RelaySettings settings, ServletContext context) {
        super(settings, context);
    }

    @Override
    public String describe() {
        return "tomcat-tunnel (Tomcat internal upgrade, byte stream relayed as received, frames checked in place)";
    }

    @Override
    public boolean supports(ServletContext context) {
        String server = context.getServerInfo();
        // Servlet 6.0 is Tomcat 10.1; earlier Tomcats are not tested.
        if (server == null || !server.startsWith("Apache Tomcat/") || context.getMajorVersion() < 6) {
            return false;
        }
        try {
            Class<?> theirs = Class.forName(InternalHttpUpgradeHandler.class.getName(), false,
                    context.getClass().getClassLoader());
            return theirs == InternalHttpUpgradeHandler.class;
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    @Override
    protected void upgrade(HttpServletRequest request, HttpServletResponse response, HeaderBlock headers,
                           TunnelRelay.Leg leg) throws IOException {
        headers.forEach(response::addHeader);
        try {
            // Tomcat calls init() once the request is done (service() returned, or its AsyncContext completed) and
            // the 101 is written, so attaching here is in time.
            request.upgrade(TomcatLeg.class).attach(leg, settings.httpClient().getScheduler());
        } catch (ServletException | RuntimeException e) {
            throw new IOException("Tomcat refused the protocol upgrade", e);
        }
    }
}
