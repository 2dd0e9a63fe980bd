package io.liteboxd.proxy.servlet.jetty;

import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.Transport;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.admission.GatewayRequest;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.auth.NavigationLogin;
import io.liteboxd.proxy.internal.error.ErrorBody;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.servlet.internal.ClientHost;
import io.liteboxd.proxy.servlet.ProxyServlet;
import io.liteboxd.proxy.servlet.internal.RequestIds;
import io.liteboxd.proxy.servlet.internal.http.HttpRelay;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP relay's front end on Jetty's core API, for applications on Jetty 12 that can put a core handler in front
 * of the servlet context holding a {@link ProxyServlet} (the standalone gateway does).
 *
 * <p>An HTTP/1.x request on the proxy's route, without upgrade or ambiguity in its path, is admitted and relayed
 * here from Jetty's core request and response, with or without a body: no servlet request, no async context, no
 * streams. The client and the upstream see exactly what the servlet front end would give them (same admission,
 * header policy, {@code X-Forwarded-*}, cookies, JSON errors, access log and metrics). Every other request (WebSocket
 * upgrades, HTTP/2, paths the container might map differently) and any request the servlet has not started for yet
 * goes to the wrapped handler unchanged.
 *
 * <pre>{@code
 * ServletContextHandler context = ...;   // with the ProxyServlet mapped as ProxyServlet.mapping() says
 * server.setHandler(new JettyHttpHandler(proxyServlet, context.getContextPath(), context));
 * }</pre>
 *
 * <p>Everything the relay itself does is non-blocking, but admission calls the gateway's SPIs (token authenticator,
 * sandbox resolver, upstream connector, listener). When none of them ever blocks, the handler can be declared
 * non-blocking ({@link #JettyHttpHandler(ProxyServlet, String, Handler, boolean)}): Jetty then runs relayed requests
 * on the selector thread that read them, with no hand-off to another thread, as an event-loop proxy does; the
 * requests that go to the servlet layer are handed to the server's thread pool instead.
 */
public final class JettyHttpHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(JettyHttpHandler.class);

    private final ProxyServlet servlet;
    private final String contextPath;
    /** The servlet context attribute the servlet's relay is published under. */
    private final String attribute;
    private final boolean onSelector;

    /**
     * @param servlet        the proxy servlet registered in {@code servletContext}; its relay is found, once it has
     *                       started, in its servlet context ({@link HttpRelay#contextAttribute})
     * @param contextPath    that context's path ({@code "/"} or {@code ""} at the root)
     * @param servletContext the handler the other requests go to, usually the servlet context handler itself
     */
    public JettyHttpHandler(ProxyServlet servlet, String contextPath, Handler servletContext) {
        this(servlet, contextPath, servletContext, false);
    }

    /**
     * @param onSelector relay on Jetty's selector threads without a dispatch: only if no SPI of the gateway ever
     *                   blocks (no remote call, no file read, no lock held for long), since a blocked selector stalls
     *                   every connection it serves
     * @see #JettyHttpHandler(ProxyServlet, String, Handler)
     */
    public JettyHttpHandler(ProxyServlet servlet, String contextPath, Handler servletContext, boolean onSelector) {
        super(servletContext);
        this.servlet = Objects.requireNonNull(servlet, "servlet");
        this.contextPath = contextPath == null || "/".equals(contextPath) ? "" : contextPath;
        this.attribute = HttpRelay.contextAttribute(servlet);
        this.onSelector = onSelector;
    }

    @Override
    public InvocationType getInvocationType() {
        return onSelector ? InvocationType.NON_BLOCKING : super.getInvocationType();
    }

    /** The started relay of the servlet, or null before its {@code init()} and after its {@code destroy()}. */
    private HttpRelay relay() {
        try {
            Object relay = servlet.getServletContext().getAttribute(attribute);
            return relay instanceof HttpRelay r ? r : null;
        } catch (IllegalStateException | NullPointerException notStarted) {
            return null;
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpRelay relay = relay();
        if (relay == null || !takes(request, relay.config())) {
            return onSelector ? toServlet(request, response, callback) : super.handle(request, response, callback);
        }
        long started = System.nanoTime();
        HttpURI uri = request.getHttpURI();
        String rawPath = uri.getPath().substring(contextPath.length());
        HttpFields headers = request.getHeaders();
        String requestId = RequestIds.of(headers.get(RequestIds.HEADER));
        String host = ClientHost.of(relay.config().trustForwardedHost() ? headers.get(HttpHeader.X_FORWARDED_HOST)
                : null, headers.get(HttpHeader.HOST));
        Admission admission;
        try {
            admission = relay.gateway().admit(new GatewayRequest(request.getMethod(), host, rawPath, uri.getQuery(),
                    headers.getValuesList(AccessTokens.HEADER), headers.getValuesList(HttpHeader.COOKIE),
                    headers.get(HttpHeader.ORIGIN), Transport.HTTP, contextPath));
        } catch (ProxyException e) {
            refuse(relay, request, response, callback, e, host, rawPath, requestId, started);
            return true;
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure serving {} {} (request {})", request.getMethod(), rawPath, requestId, e);
            refuse(relay, request, response, callback,
                    new ProxyException(ProxyError.INTERNAL, "internal gateway error"), host, rawPath, requestId,
                    started);
            return true;
        }
        String location = NavigationLogin.location(admission, request.getMethod(), headers.get("Sec-Fetch-Mode"),
                headers.get("Sec-Fetch-Dest"), headers.get(HttpHeader.ACCEPT), uri.getPath(), uri.getQuery());
        if (location != null) {
            response.setStatus(NavigationLogin.STATUS);
            relay.loginRedirect(admission, location, contextPath, request.isSecure(), requestId,
                    response.getHeaders()::put, response.getHeaders()::add);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            relay.reportAnswered(requestId, admission.route(), request.getMethod(), NavigationLogin.STATUS, null,
                    started);
            return true;
        }
        HeaderContext context = new HeaderContext(admission, contextPath + admission.route().mountPath(),
                Request.getRemoteAddr(request), request.isSecure(), host, Request.getServerPort(request),
                requestId, request.getConnectionMetaData().getProtocol(), false);
        HeaderBlock block = new HeaderBlock(headers.size() + 8);
        for (HttpField f : headers) {
            block.add(f.getName(), f.getValue());
        }
        // Its body: its length, 0 for none, -1 for a chunked one.
        long length = headers.getLongField(HttpHeader.CONTENT_LENGTH);
        new JettyCoreExchange(relay, request, response, callback, admission, block, context, contextPath,
                length >= 0 ? length : headers.contains(HttpHeader.TRANSFER_ENCODING) ? -1 : 0).start();
        return true;
    }

    /**
     * Hands a request the servlet layer serves to the server's pool: the servlet API blocks, and this handler was
     * called on a selector thread.
     */
    private boolean toServlet(Request request, Response response, Callback callback) {
        try {
            getServer().getThreadPool().execute(() -> {
                try {
                    if (!super.handle(request, response, callback)) {
                        Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                    }
                } catch (Throwable failure) {
                    Response.writeError(request, response, callback, failure);
                }
            });
        } catch (RejectedExecutionException full) {
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
        }
        return true;
    }

    private void refuse(HttpRelay relay, Request request, Response response, Callback callback, ProxyException e,
                        String host, String rawPath, String requestId, long started) {
        if (e.status() >= 500) {
            LOG.debug("Refused {} {}: {} {}", request.getMethod(), rawPath, e.status(), e.getMessage(), e);
        }
        sendError(response, callback, e, false, requestId);
        relay.reportAnswered(requestId, relay.routeOrNull(host, rawPath, request.getHttpURI().getQuery()),
                request.getMethod(), e.status(), e.error().code(), started);
    }

    /**
     * Sends {@code e} as the JSON error through Jetty's core response, for a refusal or an upstream failure; the
     * counterpart of {@code ErrorResponses} on the servlet front end.
     *
     * @param close     ask Jetty to close the connection afterwards (the request body may be unread)
     * @param requestId set as {@code X-Request-ID}, or null
     */
    static void sendError(Response response, Callback callback, ProxyException e, boolean close, String requestId) {
        byte[] body = ErrorBody.json(e);
        response.reset();
        response.setStatus(e.status());
        HttpFields.Mutable headers = response.getHeaders();
        if (close) {
            headers.put(HttpHeader.CONNECTION, "close");
        }
        if (requestId != null) {
            headers.put(RequestIds.HEADER, requestId);
        }
        headers.put(HttpHeader.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * HTTP/1.x on the proxy's route, no upgrade, and a path whose raw form the servlet container would map the same
     * way (no dot segments, no ambiguity Jetty flagged): anything else is the servlet's.
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
        return !request.getHeaders().contains(HttpHeader.UPGRADE);
    }
}
