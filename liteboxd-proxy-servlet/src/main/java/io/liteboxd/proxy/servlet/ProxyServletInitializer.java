package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.internal.config.SettingSource;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-code registration for WAR deployments: when switched on, registers {@link ProxyServlet} in every web
 * application that has this library in {@code WEB-INF/lib}. The container finds it through
 * {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}.
 *
 * <p><b>Off unless asked for.</b> A library on the class path must not start serving a gateway by itself: the
 * context-param {@code liteboxd.enabled=true} (or {@code yes/on/1}; when it is absent, the environment variable
 * {@code LITEBOXD_ENABLED}) switches it on; a value that is not a switch fails the start. Every other setting is a
 * context-param named
 * {@code liteboxd.<init-param>} (e.g. {@code liteboxd.sandboxes}, {@code liteboxd.tokenAuthenticator},
 * {@code liteboxd.requestTimeout}) or the usual {@code LITEBOXD_*} environment variable; the context-params are
 * passed to the servlet as its init-params. A servlet already named {@value ProxyRegistration#SERVLET_NAME} (from
 * {@code web.xml} or code) wins, and this initializer then does nothing.
 *
 * <p>Embedded containers that do not run library initializers (Spring Boot's among them) never call this; register
 * the servlet in code there.
 */
public final class ProxyServletInitializer implements ServletContainerInitializer {

    /** Context-param (and, without it, {@code LITEBOXD_ENABLED}) that switches the initializer on. */
    public static final String ENABLED = "liteboxd.enabled";
    /** Prefix of the context-params passed to the servlet as init-params. */
    public static final String PARAM_PREFIX = "liteboxd.";

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServletInitializer.class);

    private final Map<String, String> env;

    public ProxyServletInitializer() {
        this(System.getenv());
    }

    ProxyServletInitializer(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        Function<String, String> params = name -> context.getInitParameter(PARAM_PREFIX + name);
        boolean on;
        try {
            // ENABLED is the setting "enabled" under the prefix, so the environment's LITEBOXD_ENABLED backs it.
            Optional<String> enabled = new SettingSource(params, env).text("enabled");
            on = enabled.isPresent() && SettingSource.parseSwitch(ENABLED, enabled.get());
        } catch (IllegalArgumentException e) {
            // A typo must not silently leave the gateway off (or on).
            throw new ServletException("liteboxd-proxy: bad context-param: " + e.getMessage());
        }
        if (!on) {
            LOG.debug("liteboxd-proxy initializer is off in {} (set context-param {}=true to enable)",
                    context.getContextPath(), ENABLED);
            return;
        }
        if (context.getServletRegistration(ProxyRegistration.SERVLET_NAME) != null) {
            LOG.info("liteboxd-proxy initializer: a servlet named {} is already registered in {}; leaving it alone",
                    ProxyRegistration.SERVLET_NAME, context.getContextPath());
            return;
        }
        ProxyConfig config;
        try {
            config = ProxyConfig.from(params, env);
        } catch (IllegalArgumentException e) {
            throw new ServletException("liteboxd-proxy: bad context-param: " + e.getMessage());
        }
        ServletRegistration.Dynamic registration = context.addServlet(ProxyRegistration.SERVLET_NAME,
                ProxyServlet.class);
        for (String name : Collections.list(context.getInitParameterNames())) {
            if (name.startsWith(PARAM_PREFIX) && !name.equals(ENABLED)) {
                registration.setInitParameter(name.substring(PARAM_PREFIX.length()), context.getInitParameter(name));
            }
        }
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        registration.addMapping(ProxyServlet.mapping(config));
        LOG.info("liteboxd-proxy initializer registered {} at {}{}", ProxyRegistration.SERVLET_NAME,
                context.getContextPath(), ProxyServlet.mapping(config));
    }
}
