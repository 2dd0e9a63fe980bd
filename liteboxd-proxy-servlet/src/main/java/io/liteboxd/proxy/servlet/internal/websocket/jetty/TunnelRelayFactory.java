package io.liteboxd.proxy.servlet.internal.websocket.jetty;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.EndPointLeg;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.TunnelRelay;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.util.Callback;

/**
 * Creates {@link TunnelRelay}s whose client leg is taken over from Jetty 12 ee10's HTTP/1.1 connection. Instantiated
 * by name, and only when Jetty 12 ee10's servlet classes are on the class path; the constructor fails (and the
 * Jakarta bridge is used) when this context is not a Jetty ee10 one, or when the Jetty classes this library sees are
 * not the container's (a webapp that bundles its own copy).
 */
public final class TunnelRelayFactory extends TunnelRelay.Factory {

    public TunnelRelayFactory(RelaySettings settings, ServletContext context) {
        super(settings, context);
    }

    @Override
    public String describe() {
        return "jetty-tunnel (Jetty native, byte stream relayed as received, frames checked in place)";
    }

    @Override
    public boolean supports(ServletContext context) {
        try {
            return ServletContextHandler.getServletContextHandler(context) != null;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    protected void upgrade(HttpServletRequest request, HttpServletResponse response, HeaderBlock headers,
                           TunnelRelay.Leg leg) throws IOException {
        ServletContextRequest base = ServletContextRequest.getServletContextRequest(request);
        if (base == null) {
            throw new IOException("not a Jetty 12 ee10 request");
        }
        ConnectionMetaData connectionMetaData = base.getConnectionMetaData();
        EndPoint endPoint = connectionMetaData.getConnection().getEndPoint();
        EndPointLeg connection = new EndPointLeg(endPoint, connectionMetaData.getConnector().getExecutor(), leg);
        ServletContextResponse coreResponse = base.getServletContextResponse();
        coreResponse.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        headers.forEach(coreResponse.getHeaders()::add);
        // Jetty's HTTP/1.1 connection hands its endpoint to this connection once the 101 is written and the
        // request completes, exactly as its own WebSocket upgrade does.
        base.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, connection);
        Callback.Completable written = new Callback.Completable();
        coreResponse.write(true, null, written);
        try {
            written.get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted writing the 101", e);
        } catch (ExecutionException | TimeoutException e) {
            base.removeAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE);
            throw new IOException("could not write the 101", e);
        }
    }
}
