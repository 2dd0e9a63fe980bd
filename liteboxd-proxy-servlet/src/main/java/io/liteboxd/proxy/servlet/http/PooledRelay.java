package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.header.HeaderBlock;
import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.header.HeaderPolicy;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.servlet.ServletHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The relay for requests without a body to plain-HTTP upstreams ({@code httpRelay=auto}, the default): the request
 * head is written straight onto a kept-alive upstream connection and the response is parsed with Jetty's HTTP parser
 * and streamed to the client as it arrives, with no HTTP client machinery (request objects, listeners, destination
 * queues, hand-offs between pools) in between. That machinery was most of the cost of a small proxied GET.
 *
 * <p>What the client and the upstream see is what the {@code AsyncProxyServlet} leg produces: the same
 * {@link HeaderPolicy}, gateway cookies, trailers, flushing of streamed responses, JSON 502/504, access log and metrics. Requests with a body, HTTP/2 requests (whose body is
 * not announced in headers), {@code Expect}, TLS upstreams and upstreams named by host name rather than address
 * keep going through {@code AsyncProxyServlet}.
 *
 * <p>Only servlet API calls on the client side, so it works in every container.
 */
final class PooledRelay implements AutoCloseable {

    private final UpstreamConnections connections;
    private final HeaderPolicy headerPolicy;
    private final ProxyListener listener;

    PooledRelay(HttpClient client, Duration idleTimeout, HeaderPolicy headerPolicy, ProxyListener listener) {
        this.connections = new UpstreamConnections(client.getClientConnector(), client.getByteBufferPool(),
                idleTimeout, HttpRelay.MAX_RESPONSE_HEAD);
        this.headerPolicy = headerPolicy;
        this.listener = listener;
    }

    /** Whether this relay takes the request; else it goes through {@code AsyncProxyServlet}. */
    static boolean accepts(HttpServletRequest request, URI target) {
        return accepts(target)
                && request.getContentLengthLong() <= 0
                && request.getHeader("Transfer-Encoding") == null
                && request.getHeader("Expect") == null
                && request.getProtocol().startsWith("HTTP/1.");
    }

    /** Whether the relay can reach {@code target}: plain HTTP to an address. */
    static boolean accepts(URI target) {
        return "http".equals(target.getScheme()) && isAddressLiteral(target.getHost());
    }

    /**
     * Pod IPs, the usual upstream, need no name lookup. A host name would be looked up, blocking, on whichever thread
     * opens the connection (a selector thread on a retry), so it goes through HttpClient, which resolves
     * asynchronously.
     */
    static boolean isAddressLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.charAt(0) == '[') {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    void relay(HttpServletRequest request, HttpServletResponse response, Admission admission) throws IOException {
        HeaderContext context = ServletHeaders.context(request, admission, false);
        byte[] head = head(request.getMethod(), admission, ServletHeaders.block(request), context);
        new ServletExchange(this, request, response, admission, origin(admission), head, context).start();
    }

    /**
     * Relays an admitted request taken by {@link JettyHttpHandler} in front of the servlet layer: what
     * {@link #relay(HttpServletRequest, HttpServletResponse, Admission)} does, from Jetty's core request.
     *
     * @param context     the header policy's view of the exchange
     * @param contextPath the path of the servlet context the proxy is mounted in ("" at the root)
     */
    void relay(Request request, Response response, Callback callback, Admission admission, HeaderContext context,
               String contextPath) {
        HttpFields fields = request.getHeaders();
        HeaderBlock headers = new HeaderBlock(fields.size() + 8);
        for (HttpField f : fields) {
            headers.add(f.getName(), f.getValue());
        }
        byte[] head = head(request.getMethod(), admission, headers, context);
        new JettyCoreExchange(this, request, response, callback, admission, origin(admission), head, context,
                contextPath).start();
    }

    private byte[] head(String method, Admission admission, HeaderBlock headers, HeaderContext context) {
        headerPolicy.request(headers, context);
        return RequestHead.of(method, admission.target().uri(), headers);
    }

    private static UpstreamConnections.Origin origin(Admission admission) {
        URI target = admission.target().uri();
        return new UpstreamConnections.Origin(target.getHost(), target.getPort() > 0 ? target.getPort() : 80);
    }

    UpstreamConnections connections() {
        return connections;
    }

    HeaderPolicy headerPolicy() {
        return headerPolicy;
    }

    ProxyListener listener() {
        return listener;
    }

    @Override
    public void close() {
        connections.close();
    }
}
