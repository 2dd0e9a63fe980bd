package io.liteboxd.proxy.servlet.internal;

import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;

/**
 * A servlet request as the {@link io.liteboxd.proxy.internal.header.HeaderPolicy} takes it: its header fields, and the
 * facts about the exchange the policy's rules depend on.
 */
public final class ServletHeaders {

    private ServletHeaders() {
    }

    /** The request's header fields, in the order the container presents them. */
    public static HeaderBlock block(HttpServletRequest request) {
        HeaderBlock block = new HeaderBlock();
        Enumeration<String> names = request.getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            Enumeration<String> values = request.getHeaders(name);
            while (values.hasMoreElements()) {
                block.add(name, values.nextElement());
            }
        }
        return block;
    }

    /**
     * The policy's view of an admitted request relayed over HTTP or as a WebSocket handshake.
     *
     * @param host the host the client addressed ({@link ClientHost})
     */
    public static HeaderContext context(HttpServletRequest request, Admission admission, String host, String requestId,
                                        boolean webSocket) {
        String contextPath = request.getContextPath() == null ? "" : request.getContextPath();
        return new HeaderContext(admission, contextPath + admission.route().mountPath(), request.getRemoteAddr(),
                request.isSecure(), host, request.getServerPort(), requestId, request.getProtocol(), webSocket);
    }
}
