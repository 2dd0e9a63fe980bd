package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.GatewayRequest;
import io.liteboxd.proxy.SandboxGateway;
import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.NavigationLogin;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.servlet.ClientHost;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.RequestIds;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The pooled HTTP relay without the servlet layer, for applications on Jetty 12 that can put a core handler in front
 * of the servlet context holding a {@link ProxyServlet} (the standalone gateway does).
 *
 * <p>A bodiless HTTP/1.x request on the proxy's route, without upgrade or ambiguity in its path, is admitted here and,
 * when its upstream is one the pooled relay serves, relayed from Jetty's core request and response: no servlet
 * request, no async context, no output stream. The client and the upstream see exactly what the servlet path would
 * give them (same admission, header policy, {@code X-Forwarded-*}, cookies, errors, access log and metrics); the
 * servlet layer's part of a small proxied GET (a quarter of its Java CPU on Jetty) is saved. Every other request,
 * and any request the servlet has not started for yet, goes to the wrapped handler unchanged; a request admitted or
 * refused here but not relayed here carries its admission or refusal to the servlet, so the SPIs are asked once.
 *
 * <pre>{@code
 * ServletContextHandler context = ...;   // with the ProxyServlet mapped as ProxyServlet.mapping() says
 * server.setHandler(new JettyHttpHandler(proxyServlet, context.getContextPath(), context));
 * }</pre>
 */
public final class JettyHttpHandler extends Handler.Wrapper {

    private final ProxyServlet servlet;
    private final String contextPath;
    private final LongAdder relayed = new LongAdder();

    /**
     * @param servlet        the proxy servlet registered in {@code servletContext}
     * @param contextPath    that context's path ({@code "/"} or {@code ""} at the root)
     * @param servletContext the handler the other requests go to, usually the servlet context handler itself
     */
    public JettyHttpHandler(ProxyServlet servlet, String contextPath, Handler servletContext) {
        super(servletContext);
        this.servlet = Objects.requireNonNull(servlet, "servlet");
        this.contextPath = contextPath == null || "/".equals(contextPath) ? "" : contextPath;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpRelay relay = servlet.relay();
        SandboxGateway gateway = servlet.gateway();
        PooledRelay pooled = relay == null ? null : relay.pooled();
        if (pooled == null || gateway == null || !takes(request, relay.config())) {
            return super.handle(request, response, callback);
        }
        HttpURI uri = request.getHttpURI();
        String rawPath = uri.getPath().substring(contextPath.length());
        HttpFields headers = request.getHeaders();
        String host = ClientHost.of(relay.config().trustForwardedHost() ? headers.get(HttpHeader.X_FORWARDED_HOST)
                : null, headers.get(HttpHeader.HOST));
        Admission admission;
        try {
            admission = gateway.admit(new GatewayRequest(request.getMethod(), host, rawPath, uri.getQuery(),
                    headers.getValuesList(AccessTokens.HEADER), headers.getValuesList(HttpHeader.COOKIE),
                    headers.get(HttpHeader.ORIGIN), Transport.HTTP, contextPath));
        } catch (RuntimeException e) {
            // The servlet answers refusals (and logs the unexpected) the one way it always does.
            request.setAttribute(HttpRelay.ADMITTED, e);
            return super.handle(request, response, callback);
        }
        String location = NavigationLogin.location(admission, request.getMethod(), headers.get("Sec-Fetch-Mode"),
                headers.get("Sec-Fetch-Dest"), headers.get(HttpHeader.ACCEPT), uri.getPath(), uri.getQuery());
        if (location != null) {
            redirectLogin(request, response, callback, admission, location, pooled);
            return true;
        }
        if (!PooledRelay.accepts(admission.target().uri())) {
            request.setAttribute(HttpRelay.ADMITTED, admission);
            return super.handle(request, response, callback);
        }
        relayed.increment();
        HeaderContext context = new HeaderContext(admission, contextPath + admission.route().mountPath(),
                Request.getRemoteAddr(request), request.isSecure(), host, Request.getServerPort(request),
                RequestIds.of(headers.get(RequestIds.HEADER)), request.getConnectionMetaData().getProtocol(), false);
        pooled.relay(request, response, callback, admission, context, contextPath);
        return true;
    }

    /** What {@link HttpRelay#redirectsLogin} answers on the servlet leg, from Jetty's core response. */
    private void redirectLogin(Request request, Response response, Callback callback, Admission admission,
                               String location, PooledRelay pooled) {
        long started = System.nanoTime();
        String requestId = RequestIds.of(request.getHeaders().get(RequestIds.HEADER));
        response.setStatus(NavigationLogin.STATUS);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.LOCATION, location);
        NavigationLogin.HEADERS.forEach(headers::put);
        String cookie = HttpRelay.gatewayCookie(contextPath, request.isSecure(), admission);
        if (cookie != null) {
            headers.add(HttpHeader.SET_COOKIE, cookie);
        }
        headers.put(RequestIds.HEADER, requestId);
        headers.put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        pooled.listener().httpExchange(new HttpExchangeEvent(requestId, admission.route().sandboxId(),
                admission.route().port(), request.getMethod(), NavigationLogin.STATUS, null, 0,
                Duration.ofNanos(System.nanoTime() - started)));
    }

    /** How many requests this handler relayed itself, without the servlet layer (monitoring, tests). */
    public long relayed() {
        return relayed.sum();
    }

    /**
     * Bodiless HTTP/1.x on the proxy's route, no upgrade, and a path whose raw form the servlet container would map
     * the same way (no dot segments, no ambiguity Jetty flagged): anything else is the servlet's.
     */
    private boolean takes(Request request, ProxyConfig config) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return false;
        }
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        if (path == null || uri.hasViolations() || path.contains("/.") || "CONNECT".equals(request.getMethod())) {
            return false;
        }
        // Under the context, then under the route prefix and a slash ("/" alone with host routing).
        String route = config.hostRouting() ? "" : config.routePrefix();
        int slash = contextPath.length() + route.length();
        if (path.length() <= slash || path.charAt(slash) != '/' || !path.startsWith(contextPath)
                || !path.startsWith(route, contextPath.length())) {
            return false;
        }
        HttpFields headers = request.getHeaders();
        return headers.getLongField(HttpHeader.CONTENT_LENGTH) <= 0
                && !headers.contains(HttpHeader.TRANSFER_ENCODING)
                && !headers.contains(HttpHeader.EXPECT)
                && !headers.contains(HttpHeader.UPGRADE);
    }
}
