package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.header.HeaderBlock;
import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.header.HeaderPolicy;
import io.liteboxd.proxy.error.ErrorBody;
import io.liteboxd.proxy.error.ProxyError;
import io.liteboxd.proxy.auth.AccessTokens;
import io.liteboxd.proxy.auth.GatewayCookies;
import io.liteboxd.proxy.auth.NavigationLogin;
import io.liteboxd.proxy.auth.ShareLinks;
import io.liteboxd.proxy.auth.TokenCookie;
import io.liteboxd.proxy.auth.TokenSource;
import io.liteboxd.proxy.observe.HttpExchangeEvent;
import io.liteboxd.proxy.observe.ProxyListener;
import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.servlet.ErrorResponses;
import io.liteboxd.proxy.servlet.RequestIds;
import io.liteboxd.proxy.servlet.ServletHeaders;
import java.time.Duration;
import org.eclipse.jetty.util.Callback;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.client.UpgradeProtocolHandler;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Plain HTTP relaying, built on Jetty's {@link AsyncProxyServlet}: non-blocking streaming of both bodies with
 * backpressure, trailers and 502/504 mapping come from there. We only add what is ours through its narrow hooks:
 * the target from the admission, the {@link HeaderPolicy} in both directions, and our JSON error body.
 *
 * <p>Not a servlet the container knows: {@code ProxyServlet} creates, initialises and destroys it, and calls
 * {@link #relay} for every admitted non-upgrade request. It also owns the upstream {@link HttpClient}, which the
 * WebSocket leg shares.
 */
public final class HttpRelay extends AsyncProxyServlet {

    private static final String ADMISSION = HttpRelay.class.getName() + ".admission";

    /**
     * Request attribute under which {@link JettyHttpHandler} hands the servlet a request it admitted (an
     * {@code Admission}) or refused (the exception) but does not relay itself, so that the SPIs are asked once.
     */
    public static final String ADMITTED = HttpRelay.class.getName() + ".admitted";

    /**
     * Request attribute set before a response that the upstream cut off is dispatched back to the servlet, which then
     * throws {@link ResponseCutOff}: outside Jetty no servlet-API call aborts a committed response, but an exception
     * from the servlet makes Tomcat close the connection instead of ending the response normally (Undertow 2.3 still
     * ends it normally; docs/limitations.md).
     */
    public static final String CUT_OFF = HttpRelay.class.getName() + ".cutOff";

    /**
     * Thrown by the servlet on the dispatch that {@link #CUT_OFF} asks for. The container logs it (Jetty at WARN,
     * Tomcat at ERROR, Undertow at DEBUG), so it carries one short line and no stack trace.
     */
    public static final class ResponseCutOff extends IOException {
        private static final long serialVersionUID = 1L;

        public ResponseCutOff(Object cause) {
            super("the upstream cut its response off (" + brief(cause)
                    + "); the client's connection is closed so that it cannot take the response for a whole one");
        }

        /** Jetty's client puts its whole connection state into some messages: the class and a line are enough. */
        private static String brief(Object cause) {
            if (!(cause instanceof Throwable t)) {
                return String.valueOf(cause);
            }
            String message = t.getMessage();
            if (message == null) {
                return t.getClass().getSimpleName();
            }
            int end = Math.min(message.length(), 120);
            int newline = message.indexOf('\n');
            if (newline >= 0 && newline < end) {
                end = newline;
            }
            return t.getClass().getSimpleName() + ": " + message.substring(0, end)
                    + (end < message.length() ? "..." : "");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * Largest upstream response head relayed on either HTTP leg, in bytes (nginx's default {@code proxy_buffer_size}
     * is one page); a larger one answers 502 {@code upstream_unreachable}. The container adds the gateway's own
     * headers on top, so its response-head limit should be above this (docs/containers.md).
     */
    public static final int MAX_RESPONSE_HEAD = 8192;

    private final ProxyConfig config;
    private final Optional<SSLContext> sslContext;
    private final HeaderPolicy headerPolicy;
    private final ProxyListener listener;
    private final ClientBody clientBody = new ClientBody();
    private PooledRelay pooled;
    private static final String SERVER_EXECUTOR = "org.eclipse.jetty.server.Executor";
    /** The container's pool when the client runs on it ({@code clientThreads=0} on Jetty), else null. */
    private Object sharedPool;
    private static final String EXCHANGE = HttpRelay.class.getName() + ".exchange";
    private static final String HEADER_CONTEXT = HttpRelay.class.getName() + ".headerContext";

    /**
     * @param listener told about every relayed exchange when its response is complete
     */
    public HttpRelay(ProxyConfig config, Optional<SSLContext> sslContext, ProxyListener listener) {
        this.config = config;
        this.sslContext = sslContext;
        this.headerPolicy = HeaderPolicy.of(config);
        this.listener = listener;
    }

    /** Per-request bookkeeping for the exchange event; the body byte count is updated as content flows. */
    private static final class Exchange {
        final long startNanos = System.nanoTime();
        final String requestId;
        final String method;
        long responseBytes;

        Exchange(String requestId, String method) {
            this.requestId = requestId;
            this.method = method;
        }
    }

    /** Initialises the relay inside {@code context}; settings come from {@link ProxyConfig}, not init-params. */
    public void start(ServletContext context) throws ServletException {
        // clientThreads=0: Jetty publishes its server pool under this attribute, and Jetty's proxy takes it for "-".
        Object serverPool = context.getAttribute(SERVER_EXECUTOR);
        sharedPool = config.clientThreads() == 0 && serverPool instanceof java.util.concurrent.Executor
                ? serverPool : null;
        int ownThreads = config.clientThreads() == 0 ? ProxyConfig.DEFAULT_CLIENT_THREADS : config.clientThreads();
        Map<String, String> params = Map.of(
                "maxThreads", sharedPool != null ? "-" : Integer.toString(ownThreads),
                // RequestTimeout is a per-read/write stall limit, not a cap on a long download or an SSE stream.
                "idleTimeout", Long.toString(config.requestTimeout().toMillis()),
                "timeout", "0",
                "maxConnections", "32768",
                "preserveHost", "false");
        init(new ServletConfig() {
            @Override
            public String getServletName() {
                return "liteboxd-http-relay";
            }

            @Override
            public ServletContext getServletContext() {
                return context;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        });
        // Jetty's proxy clears every protocol handler so that the HTTP relay passes 401s, redirects and 100s through
        // untouched. The WebSocket client shares this HttpClient and needs the 101 handler back; the HTTP relay never
        // sends an Upgrade header (hop-by-hop), so it never sees a 101 itself.
        getHttpClient().getProtocolHandlers().put(new UpgradeProtocolHandler());
        if (config.httpRelay() == ProxyConfig.HttpRelay.AUTO) {
            pooled = new PooledRelay(getHttpClient(), config.requestTimeout(), headerPolicy, listener);
        }
    }

    @Override
    public void destroy() {
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
        super.destroy();
    }

    /** The pooled relay, or null with {@code httpRelay=proxy-servlet}. */
    PooledRelay pooled() {
        return pooled;
    }

    ProxyConfig config() {
        return config;
    }

    /** Which relay carries bodiless requests to plain-HTTP upstreams: "pooled" or "proxy-servlet" (logs, tests). */
    public String relayKind() {
        return pooled != null ? "pooled" : "proxy-servlet";
    }

    /**
     * The client whose thread pool Jetty's proxy creates from {@code maxThreads}; it is tuned here, before it starts,
     * because Jetty evicts one idle thread per idle timeout by default and a burst would keep its threads for an hour.
     */
    @Override
    protected HttpClient newHttpClient(ClientConnector clientConnector) {
        // Upstreams speak HTTP/1.1 (WebSocket upgrades need it too): the plain HTTP/1.1 transport and its duplex pool
        // cost less per request than the dynamic transport's multiplex pool (5% of a small GET in the profile).
        HttpClient client = new HttpClient(
                new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(clientConnector)) {
            @Override
            public void setExecutor(java.util.concurrent.Executor executor) {
                // Only our own pool is tuned; the container's is the embedder's to configure.
                if (executor != sharedPool && executor instanceof org.eclipse.jetty.util.thread.QueuedThreadPool pool) {
                    pool.setIdleTimeout(5000);
                    pool.setMaxEvictCount(pool.getMaxThreads());
                }
                super.setExecutor(executor);
            }
        };
        // Unbounded by default: a sandbox's huge head was taken, then failed the container's response generator
        // after the proxy had reported success, as an HTML 500 page echoing the request URI. Refused here, before
        // anything is committed, it is a JSON 502 like any other unusable answer.
        client.setMaxResponseHeadersSize(MAX_RESPONSE_HEAD);
        return client;
    }

    /** The shared upstream client, started. */
    public HttpClient httpClient() {
        return getHttpClient();
    }

    /** Relays one admitted request; returns at once, the exchange completes asynchronously. */
    public void relay(HttpServletRequest request, HttpServletResponse response, Admission admission)
            throws ServletException, IOException {
        PooledRelay p = pooled;
        if (p != null && PooledRelay.accepts(request, admission.target().uri())) {
            p.relay(request, response, admission);
            return;
        }
        clientBody.checkUnread(request);
        request.setAttribute(ADMISSION, admission);
        request.setAttribute(HEADER_CONTEXT, ServletHeaders.context(request, admission, false));
        request.setAttribute(EXCHANGE, new Exchange(RequestIds.of(request), request.getMethod()));
        service(request, response);
    }

    @Override
    protected ReadListener newReadListener(HttpServletRequest request, HttpServletResponse response,
                                           Request proxyRequest, AsyncRequestContent content) {
        long announced = request.getContentLengthLong();
        return announced > 0 ? new LengthCheckingReader(request, response, proxyRequest, content, announced)
                : super.newReadListener(request, response, proxyRequest, content);
    }

    /**
     * Jetty's reader, which also counts what it relays: a body that ends before its {@code Content-Length} (part of it
     * was read by a filter in front of the gateway) would leave the upstream waiting for the rest, so the upstream
     * request is aborted instead, which closes its connection rather than returning it to the pool.
     */
    private final class LengthCheckingReader extends StreamReader {
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final Request proxyRequest;
        private final long announced;
        // Written by the reads, read by onAllDataRead, which the container may call on another thread.
        private volatile long read;

        LengthCheckingReader(HttpServletRequest request, HttpServletResponse response, Request proxyRequest,
                             AsyncRequestContent content, long announced) {
            super(request, response, proxyRequest, content);
            this.request = request;
            this.response = response;
            this.proxyRequest = proxyRequest;
            this.announced = announced;
        }

        @Override
        protected void onRequestContent(HttpServletRequest request, Request proxyRequest, AsyncRequestContent content,
                                        byte[] buffer, int offset, int length, Callback callback) {
            read += length;
            super.onRequestContent(request, proxyRequest, content, buffer, offset, length, callback);
        }

        @Override
        public void onAllDataRead() {
            long total = read;
            if (total < announced) {
                onClientRequestFailure(request, proxyRequest, response,
                        clientBody.endedShort(request, total, announced));
                return;
            }
            super.onAllDataRead();
        }
    }

    @Override
    protected void onResponseContent(HttpServletRequest request, HttpServletResponse response, Response proxyResponse,
                                     byte[] buffer, int offset, int length, Callback callback) {
        Exchange exchange = (Exchange) request.getAttribute(EXCHANGE);
        if (exchange != null) {
            // Content events of one response are serial, so a plain field is enough.
            exchange.responseBytes += length;
        }
        super.onResponseContent(request, response, proxyResponse, buffer, offset, length, callback);
    }

    @Override
    protected StreamWriter newWriteListener(HttpServletRequest request, Response proxyResponse) {
        // Only streamed responses (no Content-Length) pay for a flush per chunk; see FlushingWriter.
        return proxyResponse.getHeaders().contains(HttpHeader.CONTENT_LENGTH)
                ? super.newWriteListener(request, proxyResponse)
                : new FlushingWriter(request, proxyResponse);
    }

    /**
     * Jetty's writer with one change: every chunk is flushed once written, so a streamed response (server-sent
     * events, logs) passes each chunk on as it arrives, like nginx with {@code proxy_buffering off}. Tomcat keeps at
     * least an 8 KiB response buffer whatever {@code setBufferSize} says, so without the flush an event would wait
     * there until the next one arrived; and {@code setBufferSize(0)} made Jetty's output send every byte as a chunk
     * of its own. The flush is non-blocking: the next chunk is taken only once the container reports the
     * flush done ({@code isReady}, else a later {@code onWritePossible}).
     */
    private final class FlushingWriter extends StreamWriter {
        private final HttpServletRequest request;
        private byte[] buffer;
        private int offset;
        private int length;
        private Callback callback;
        private Step step = Step.IDLE;

        FlushingWriter(HttpServletRequest request, Response proxyResponse) {
            super(request, proxyResponse);
            this.request = request;
        }

        @Override
        protected void data(byte[] bytes, int offset, int length, Callback callback) {
            if (step != Step.IDLE) {
                throw new java.nio.channels.WritePendingException();
            }
            this.step = Step.WRITE;
            this.buffer = bytes;
            this.offset = offset;
            this.length = length;
            this.callback = callback;
        }

        @Override
        public void onWritePossible() throws IOException {
            jakarta.servlet.ServletOutputStream output = request.getAsyncContext().getResponse().getOutputStream();
            if (step == Step.WRITE) {
                output.write(buffer, offset, length);
                step = Step.FLUSH;
                if (!output.isReady()) {
                    return;
                }
            }
            if (step == Step.FLUSH) {
                output.flush();
                step = Step.DONE;
                if (!output.isReady()) {
                    return;
                }
            }
            if (step == Step.DONE) {
                complete();
            }
        }

        @Override
        protected void complete() {
            Callback c = callback;
            buffer = null;
            callback = null;
            step = Step.IDLE;
            // Reset first: the callback may deliver the next chunk re-entrantly.
            c.succeeded();
        }
    }

    private enum Step {
        IDLE, WRITE, FLUSH, DONE
    }

    @Override
    protected void onProxyResponseSuccess(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
                                          Response serverResponse) {
        // Read everything before super completes the async cycle: the container may recycle the request then.
        Runnable report = reporter(clientRequest, proxyResponse.getStatus(), null);
        super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
        report.run();
    }

    @Override
    protected void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
                                          Response serverResponse, Throwable failure) {
        if (ClientBody.isEndedShort(failure) && !proxyResponse.isCommitted()) {
            Runnable report = reporterWithCode(clientRequest, ProxyError.BODY_CONSUMED.status(),
                    ProxyError.BODY_CONSUMED.code());
            proxyResponse.setHeader(RequestIds.HEADER, RequestIds.of(clientRequest));
            ErrorResponses.send(proxyResponse, new ProxyException(ProxyError.BODY_CONSUMED,
                    ClientBody.MESSAGE + "; the request to the sandbox was aborted"));
            if (clientRequest.isAsyncStarted()) {
                clientRequest.getAsyncContext().complete();
            }
            report.run();
            return;
        }
        Runnable report = reporter(clientRequest, -1, failure);
        // Jetty's own handling of a committed response (sendError(-1), then complete) ended a cut-off stream with a
        // terminating chunk in the middle of an asynchronous write; the servlet's throw on a dispatch cuts it off.
        if (proxyResponse.isCommitted() && clientRequest.isAsyncStarted()) {
            // Reported first: once dispatched, the container may recycle the request.
            report.run();
            if (!dispatchCutOff(clientRequest, failure)) {
                super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
            }
            return;
        }
        super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
        report.run();
    }

    /**
     * Dispatches an async request whose committed response the upstream cut off back to the servlet, which throws
     * {@link ResponseCutOff} on it ({@link #CUT_OFF}); both HTTP legs end such a response this way.
     *
     * @return false if the container refused the dispatch (the async cycle already ended): end it another way
     */
    static boolean dispatchCutOff(HttpServletRequest request, Throwable cause) {
        request.setAttribute(CUT_OFF, cause);
        try {
            request.getAsyncContext().dispatch();
            return true;
        } catch (IllegalStateException e) {
            request.removeAttribute(CUT_OFF);
            return false;
        }
    }

    private Runnable reporter(HttpServletRequest request, int status, Throwable failure) {
        // A failure's status is known only once Jetty has chosen it (502/504), or was the upstream's if committed.
        return status > 0 ? reporterWithCode(request, status, null)
                : reporterWithCode(request, proxyResponseStatus(failure), "upstream_failed");
    }

    private Runnable reporterWithCode(HttpServletRequest request, int status, String error) {
        Exchange exchange = (Exchange) request.getAttribute(EXCHANGE);
        Admission admission = (Admission) request.getAttribute(ADMISSION);
        if (exchange == null || admission == null) {
            return () -> { };
        }
        return () -> listener.httpExchange(new HttpExchangeEvent(exchange.requestId, admission.route().sandboxId(),
                admission.route().port(), exchange.method, status, error, exchange.responseBytes,
                Duration.ofNanos(System.nanoTime() - exchange.startNanos)));
    }

    /**
     * Jetty's proxy logs whole requests (headers, query) at DEBUG, which would put access tokens into logs. The
     * gateway logs what matters itself, without credentials, so that logger is silenced.
     */
    @Override
    protected org.slf4j.Logger createLogger() {
        return org.slf4j.helpers.NOPLogger.NOP_LOGGER;
    }

    @Override
    protected ClientConnector newClientConnector() {
        ClientConnector connector = super.newClientConnector();
        connector.setConnectTimeout(config.connectTimeout());
        SslContextFactory.Client tls = new SslContextFactory.Client();
        sslContext.ifPresent(tls::setSslContext);
        connector.setSslContextFactory(tls);
        return connector;
    }

    @Override
    protected String rewriteTarget(HttpServletRequest clientRequest) {
        Admission admission = (Admission) clientRequest.getAttribute(ADMISSION);
        return admission == null ? null : admission.target().uri().toString();
    }

    /** The header policy for both directions, which every leg shares. */
    public HeaderPolicy headerPolicy() {
        return headerPolicy;
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        HeaderBlock block = ServletHeaders.block(clientRequest);
        headerPolicy.request(block, (HeaderContext) clientRequest.getAttribute(HEADER_CONTEXT));
        proxyRequest.headers(headers -> {
            headers.clear();
            block.forEach(headers::add);
        });
    }

    /** The policy already set {@code Via} and {@code X-Forwarded-*} with the other request headers. */
    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
    }

    @Override
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
                                           Response serverResponse) {
        HeaderContext context = (HeaderContext) clientRequest.getAttribute(HEADER_CONTEXT);
        if (!headerPolicy.relays(serverResponse.getStatus(), context)) {
            // Fails the exchange before anything reaches the client, which then gets a 502.
            serverResponse.abort(new IOException("upstream switched protocols on a plain HTTP request"));
            return;
        }
        HeaderBlock block = new HeaderBlock(serverResponse.getHeaders().size() + 2);
        for (HttpField field : serverResponse.getHeaders()) {
            // Each field as sent: Jetty's own copy re-joins split values with "," and mangles Set-Cookie dates.
            block.add(field.getName(), field.getValue());
        }
        headerPolicy.response(block, context);
        for (int i = 0; i < block.size(); i++) {
            String value = block.value(i);
            if (!value.isBlank()) {
                proxyResponse.addHeader(block.name(i), value);
            }
        }
        // Trailers (gRPC-web status, checksums of streamed bodies) must be announced before the body starts; the
        // supplier is read when the body is complete, by which time the upstream's trailers have arrived.
        String announced = serverResponse.getHeaders().get(HttpHeader.TRAILER);
        if (announced != null && clientRequest.getProtocol().equals("HTTP/1.1")) {
            proxyResponse.setHeader(HttpHeader.TRAILER.asString(), announced);
            proxyResponse.setTrailerFields(() -> trailerMap(serverResponse.getTrailers()));
        }
        addGatewayCookie(clientRequest, proxyResponse, (Admission) clientRequest.getAttribute(ADMISSION));
    }

    /** Upstream trailers as the servlet API takes them: one entry per name, repeated fields joined with commas. */
    static Map<String, String> trailerMap(Iterable<HttpField> fields) {
        Map<String, String> trailers = new java.util.LinkedHashMap<>();
        if (fields != null) {
            for (HttpField f : fields) {
                trailers.merge(f.getName(), f.getValue(), (a, b) -> a + ", " + b);
            }
        }
        return trailers;
    }

    /** The gateway's own cookie, when the request authenticated with a query token or a share link. */
    static void addGatewayCookie(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
                                 Admission admission) {
        if (!setsGatewayCookie(admission)) {
            return;
        }
        String cookie = gatewayCookie(clientRequest.getContextPath(), clientRequest.isSecure(), admission);
        if (cookie != null) {
            proxyResponse.addHeader("Set-Cookie", cookie);
        }
    }

    /** Whether the credential came as a query parameter or share link, which the gateway keeps in a cookie. */
    static boolean setsGatewayCookie(Admission admission) {
        return admission.cookie() != null
                && (admission.tokenSource() == TokenSource.QUERY || admission.tokenSource() == TokenSource.SHARE_LINK);
    }

    /**
     * The {@code Set-Cookie} value that keeps a credential given as a query parameter or share link, or null.
     *
     * @param contextPath the servlet context's path ("" at the root)
     */
    static String gatewayCookie(String contextPath, boolean secure, Admission admission) {
        String context = contextPath == null ? "" : contextPath;
        if (admission.tokenSource() == TokenSource.QUERY && admission.cookie() != null) {
            return TokenCookie.setCookie(AccessTokens.COOKIE, admission.cookie(),
                    context + admission.route().sandboxPath(), secure, GatewayCookies.LIFETIME.toSeconds());
        } else if (admission.tokenSource() == TokenSource.SHARE_LINK && admission.cookie() != null) {
            // A share link opens one port: its cookie is scoped to that port and ends with the link.
            return TokenCookie.setCookie(ShareLinks.COOKIE, admission.cookie(),
                    context + admission.route().mountPath() + "/", secure,
                    ShareLinks.secondsLeft(admission.cookie(), Clock.systemUTC()));
        }
        return null;
    }

    /**
     * Answers a navigation that logged in with a query parameter or share link with a redirect to its URL without
     * it ({@link NavigationLogin}), the gateway cookie set; nothing is relayed.
     *
     * @return false when the request is to be relayed
     */
    public static boolean redirectsLogin(HttpServletRequest request, HttpServletResponse response,
                                         Admission admission) {
        String location = NavigationLogin.location(admission, request.getMethod(), request.getHeader("Sec-Fetch-Mode"),
                request.getHeader("Sec-Fetch-Dest"), request.getHeader("Accept"), request.getRequestURI(),
                request.getQueryString());
        if (location == null) {
            return false;
        }
        response.setStatus(NavigationLogin.STATUS);
        response.setHeader("Location", location);
        NavigationLogin.HEADERS.forEach(response::setHeader);
        addGatewayCookie(request, response, admission);
        response.setContentLength(0);
        return true;
    }

    @Override
    protected void sendProxyResponseError(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
                                          int status) {
        try {
            if (!proxyResponse.isCommitted()) {
                ProxyError error = status == 504 ? ProxyError.UPSTREAM_TIMEOUT : ProxyError.UPSTREAM_UNREACHABLE;
                String message = status == 504 ? "upstream timed out" : "upstream unreachable";
                if (status != 502 && status != 504) {
                    error = ProxyError.INTERNAL;
                    message = "request could not be relayed";
                }
                byte[] body = ErrorBody.json(status, error.code(), message);
                proxyResponse.resetBuffer();
                proxyResponse.setStatus(status);
                proxyResponse.setHeader("Connection", "close");
                proxyResponse.setContentType(ErrorBody.CONTENT_TYPE);
                proxyResponse.setContentLength(body.length);
                proxyResponse.getOutputStream().write(body);
            }
        } catch (IOException | IllegalStateException e) {
            _log.debug("Could not write error response {}", status, e);
        } finally {
            if (clientRequest.isAsyncStarted()) {
                clientRequest.getAsyncContext().complete();
            }
        }
    }
}
