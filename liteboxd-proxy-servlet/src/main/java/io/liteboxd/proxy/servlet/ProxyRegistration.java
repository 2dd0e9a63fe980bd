package io.liteboxd.proxy.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

/**
 * Programmatic registration, for a {@code ServletContainerInitializer}, a Spring {@code ServletContextInitializer} or
 * plain embedding code.
 */
public final class ProxyRegistration {

    /** The servlet name used by {@link #register}. */
    public static final String SERVLET_NAME = "liteboxd-proxy";

    private ProxyRegistration() {
    }

    /**
     * Adds {@code servlet} at {@link ProxyServlet#mapping()} ({@code {routePrefix}/*}, or {@code /*} with host-style
     * routes) with async support (required: HTTP relaying is asynchronous) and load-on-startup 1 (so a
     * misconfiguration fails at start, not at the first request).
     *
     * <p>With host-style routes the servlet owns every path of its context: give the gateway its own context (or
     * server) rather than the context of an application whose own servlets it would shadow.
     */
    public static ServletRegistration.Dynamic register(ServletContext context, ProxyServlet servlet) {
        ServletRegistration.Dynamic registration = context.addServlet(SERVLET_NAME, servlet);
        if (registration == null) {
            throw new IllegalStateException("a servlet named " + SERVLET_NAME + " is already registered");
        }
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        registration.addMapping(servlet.mapping());
        return registration;
    }
}
