package io.liteboxd.proxy.container.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.jetty.JettyHttpHandler;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

/**
 * The same contract with {@link JettyHttpHandler} in front of the servlet context, on the selector threads, as the
 * standalone gateway runs it:
 * HTTP/1.x requests, with or without a body, are admitted and relayed from Jetty's core request without the servlet
 * layer, WebSocket upgrades still reach the servlet, and the client cannot tell which.
 */
class JettyCoreHandlerContractTest extends JettyGatewayContractTest {

    private JettyHttpHandler handler;

    @Override
    protected Handler front(ProxyServlet servlet, ServletContextHandler context) {
        handler = new JettyHttpHandler(servlet, context.getContextPath(), context, true);
        return handler;
    }

    @Override
    protected boolean filtersSeeRequestBodies() {
        return false;
    }

    @Test
    void requestsWithAndWithoutABodyBypassTheServletLayer() throws Exception {
        long before = handler.relayed();
        HttpResponse<byte[]> get = send(request("/echo/hello").GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(handler.relayed()).isEqualTo(before + 1);
        HttpResponse<byte[]> post = send(request("/echo/items").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(handler.relayed()).isEqualTo(before + 2);
    }
}
