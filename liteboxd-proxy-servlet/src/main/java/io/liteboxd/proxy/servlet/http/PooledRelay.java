package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.servlet.ForwardedHeaders;
import io.liteboxd.proxy.servlet.RequestIds;
import io.liteboxd.proxy.servlet.UpstreamHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The relay for requests without a body to plain-HTTP upstreams ({@code httpRelay=auto}, the default): the request
 * head is written straight onto a kept-alive upstream connection and the response is parsed with Jetty's HTTP parser
 * and streamed to the client as it arrives, with no HTTP client machinery (request objects, listeners, destination
 * queues, hand-offs between pools) in between. That machinery was most of the cost of a small proxied GET.
 *
 * <p>What the client and the upstream see is what the {@code AsyncProxyServlet} leg produces: the same header
 * policy, {@code X-Forwarded-*}, {@code Via}, Location and Set-Cookie rewriting, gateway cookies, trailers, flushing
 * of streamed responses, JSON 502/504, access log and metrics. Requests with a body, HTTP/2 requests (whose body is
 * not announced in headers), {@code Expect}, TLS upstreams and upstreams named by host name rather than address
 * keep going through {@code AsyncProxyServlet}.
 *
 * <p>Only servlet API calls on the client side, so it works in every container.
 */
final class PooledRelay implements AutoCloseable {

    private final UpstreamConnections connections;
    private final UpstreamHeaders upstreamHeaders;
    private final ProxyListener listener;
    private final String viaHost;

    PooledRelay(HttpClient client, Duration idleTimeout, UpstreamHeaders upstreamHeaders, ProxyListener listener,
                String viaHost) {
        this.connections = new UpstreamConnections(client.getClientConnector(), client.getByteBufferPool(),
                idleTimeout, HttpRelay.MAX_RESPONSE_HEAD);
        this.upstreamHeaders = upstreamHeaders;
        this.listener = listener;
        this.viaHost = viaHost;
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
        URI target = admission.target().uri();
        String mount = ForwardedHeaders.mount(request, admission.route());
        Map<String, String> forwarded = ForwardedHeaders.of(request, mount);
        byte[] head = RequestHead.of(request, target, replacing(admission, forwarded), viaHost);
        int port = target.getPort() > 0 ? target.getPort() : 80;
        new ServletExchange(this, request, response, admission, new UpstreamConnections.Origin(target.getHost(), port),
                head, RequestIds.of(request), mount).start();
    }

    /**
     * Relays an admitted request taken by {@link JettyHttpHandler} in front of the servlet layer: what
     * {@link #relay(HttpServletRequest, HttpServletResponse, Admission)} does, from Jetty's core request.
     *
     * @param host        the host the client addressed ({@code ClientHost}), or null
     * @param contextPath the path of the servlet context the proxy is mounted in ("" at the root)
     */
    void relay(Request request, Response response, Callback callback, Admission admission, String host,
               String contextPath, String requestId) {
        URI target = admission.target().uri();
        String mount = contextPath + admission.route().mountPath();
        HttpFields fields = request.getHeaders();
        Map<String, String> forwarded = ForwardedHeaders.of(fields.get(HttpHeader.X_FORWARDED_FOR),
                Request.getRemoteAddr(request), request.isSecure(), host, Request.getServerPort(request), mount,
                requestId);
        byte[] head = RequestHead.of(request.getMethod(), request.getConnectionMetaData().getProtocol(),
                new CoreHeaders(fields), target, replacing(admission, forwarded), viaHost);
        int port = target.getPort() > 0 ? target.getPort() : 80;
        new JettyCoreExchange(this, request, response, callback, admission,
                new UpstreamConnections.Origin(target.getHost(), port), head, requestId, mount, contextPath).start();
    }

    /** The gateway's headers for the upstream: the connector's, then {@code X-Forwarded-*} over them. */
    private static Map<String, String> replacing(Admission admission, Map<String, String> forwarded) {
        if (admission.target().headers().isEmpty()) {
            return forwarded;
        }
        Map<String, String> replacing = new LinkedHashMap<>(admission.target().headers());
        replacing.putAll(forwarded);
        return replacing;
    }

    /** Jetty's request fields grouped by name, as the servlet API presents them. */
    private record CoreHeaders(HttpFields fields) implements RequestHead.ClientHeaders {
        @Override
        public Iterable<String> names() {
            List<String> names = new ArrayList<>(fields.size());
            for (HttpField f : fields) {
                String name = f.getName();
                if (!seen(names, name)) {
                    names.add(name);
                }
            }
            return names;
        }

        private static boolean seen(List<String> names, String name) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equalsIgnoreCase(name)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public List<String> values(String name) {
            return fields.getValuesList(name);
        }
    }

    UpstreamConnections connections() {
        return connections;
    }

    UpstreamHeaders upstreamHeaders() {
        return upstreamHeaders;
    }

    ProxyListener listener() {
        return listener;
    }

    @Override
    public void close() {
        connections.close();
    }
}
