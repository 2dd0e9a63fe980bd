package io.liteboxd.proxy.servlet.internal.websocket.upgrade;

import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.servlet.internal.websocket.Relay;
import io.liteboxd.proxy.servlet.internal.websocket.RelaySettings;
import io.liteboxd.proxy.servlet.internal.websocket.tunnel.TunnelRelay;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Creates {@link TunnelRelay}s whose client leg comes from the Servlet API's protocol upgrade
 * ({@link UpgradeLeg}): the tunnel's byte relay on containers whose upgraded connections behave, using nothing but
 * {@code jakarta.servlet} types on the client side.
 *
 * <p>Only Tomcat 10.1 and later qualify. Jetty 12 ee10 answers the 101 and then parses the WebSocket bytes as HTTP
 * (it has its own tunnel). Undertow 2.3's upgraded output stream writes the whole array in non-blocking mode,
 * whatever offset and length it is given, and keeps its state without synchronization, so the relay's writes of part
 * of a buffer from another thread would corrupt the stream: Undertow keeps the Jakarta bridge.
 */
public final class UpgradeTunnelFactory implements Relay.Factory, TunnelRelay.ClientUpgrade {

    private final RelaySettings settings;

    public UpgradeTunnelFactory(RelaySettings settings) {
        this.settings = settings;
    }

    /** True if {@code context}'s container hands over upgraded connections in a way this tunnel can use. */
    public static boolean supported(ServletContext context) {
        String server = context.getServerInfo();
        if (server == null || !server.startsWith("Apache Tomcat/")) {
            return false;
        }
        // Tomcat 10.1 implements Servlet 6.0; 10.0 and earlier are not tested.
        return context.getMajorVersion() >= 6;
    }

    @Override
    public Relay newRelay(String name, Consumer<Relay> onFinished) {
        return new TunnelRelay(settings, name, onFinished, this);
    }

    @Override
    public String describe() {
        return "upgrade-tunnel (Servlet protocol upgrade, byte stream relayed as received, frames checked in place)";
    }

    @Override
    public boolean supports(ServletContext context) {
        return supported(context);
    }

    @Override
    public void upgrade(HttpServletRequest request, HttpServletResponse response, HeaderBlock responseHeaders,
                        String accept, String subprotocol, TunnelRelay.Leg leg) throws IOException {
        responseHeaders.forEach(response::addHeader);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", accept);
        if (subprotocol != null && !subprotocol.isEmpty()) {
            response.setHeader("Sec-WebSocket-Protocol", subprotocol);
        } else {
            response.setHeader("Sec-WebSocket-Protocol", null);
        }
        UpgradeLeg handler;
        try {
            handler = request.upgrade(UpgradeLeg.class);
        } catch (jakarta.servlet.ServletException | RuntimeException e) {
            throw new IOException("the container refused the protocol upgrade", e);
        }
        // The container calls init() once service() returned and the 101 is written, so attaching here is in time.
        handler.attach(leg, settings.scheduler());
    }

    /** The Servlet API's upgrade must be asked for from inside {@code service()}. */
    @Override
    public boolean fromAnyThread() {
        return false;
    }

    /** The Servlet streams read into and write from arrays. */
    @Override
    public boolean directBuffers() {
        return false;
    }
}
