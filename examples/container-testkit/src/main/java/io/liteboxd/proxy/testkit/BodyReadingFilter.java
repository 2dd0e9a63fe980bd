package io.liteboxd.proxy.testkit;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.Writer;

/**
 * A filter in front of the gateway that reads the request body first, as an application's own filters do (Spring's
 * {@code FormContentFilter}, anything that calls {@code getParameter} on a form POST). It acts only on requests that
 * carry {@link #HEADER}, whose value says how it reads:
 * <ul>
 *   <li>{@code stream}: the input stream to its end;</li>
 *   <li>{@code parameters}: {@code getParameterMap()}, which parses a form POST's body;</li>
 *   <li>{@code reader}: {@code getReader()} to its end;</li>
 *   <li>{@code first-byte}: one byte of the input stream, leaving the rest for the gateway.</li>
 * </ul>
 * Container modules of the contract suite register it with {@link #register}; this kit itself carries no servlet
 * API, so only they load this class.
 */
public final class BodyReadingFilter implements Filter {

    /** The request header that turns the filter on for one request. */
    public static final String HEADER = "X-Testkit-Read-Body";

    /** Adds the filter for every path of {@code context}, async-capable like the gateway servlet behind it. */
    public static void register(ServletContext context) {
        FilterRegistration.Dynamic registration = context.addFilter("testkit-body-reading", new BodyReadingFilter());
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(null, false, "/*");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String how = ((HttpServletRequest) request).getHeader(HEADER);
        if (how != null) {
            switch (how) {
                case "stream" -> request.getInputStream().readAllBytes();
                case "parameters" -> request.getParameterMap();
                case "reader" -> request.getReader().transferTo(Writer.nullWriter());
                case "first-byte" -> request.getInputStream().read();
                default -> throw new ServletException("unknown " + HEADER + ": " + how);
            }
        }
        chain.doFilter(request, response);
    }
}
