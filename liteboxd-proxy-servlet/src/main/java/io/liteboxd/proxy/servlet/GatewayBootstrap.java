package io.liteboxd.proxy.servlet;

import io.liteboxd.proxy.SpiBundle;
import io.liteboxd.proxy.SpiProvider;
import io.liteboxd.proxy.auth.TokenAuthenticator;
import io.liteboxd.proxy.config.ProxyConfig;
import io.liteboxd.proxy.connect.DirectPodConnector;
import io.liteboxd.proxy.connect.UpstreamConnector;
import io.liteboxd.proxy.internal.config.SettingSource;
import io.liteboxd.proxy.internal.kubernetes.KubernetesSpiProvider;
import io.liteboxd.proxy.observe.ProxyMetrics;
import io.liteboxd.proxy.resolve.SandboxResolver;
import io.liteboxd.proxy.resolve.StaticSandboxes;
import jakarta.servlet.ServletException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link ProxyServlet} sets up around its relays: the configuration and the three SPIs when they come from
 * settings (init-params, the initializer's context-params, {@code LITEBOXD_*} variables) rather than code, as its class
 * comment lists them, and the JMX registration of its metrics. Every wrong, missing or conflicting setting fails the
 * start with a {@link ServletException} that names it. Class names are kept for {@code web.xml} users who have no
 * {@code META-INF/services} file of their own.
 */
final class GatewayBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayBootstrap.class);

    /** The configuration and SPIs read from settings, with what to close when the servlet stops. */
    record Spis(ProxyConfig config, TokenAuthenticator authenticator, SandboxResolver resolver,
                UpstreamConnector connector, AutoCloseable resources) {
    }

    private GatewayBootstrap() {
    }

    /**
     * Reads everything from {@code initParams}, then {@code env}.
     *
     * @param loader finds {@link SpiProvider}s and the named classes: the web application's class loader
     */
    static Spis fromSettings(Function<String, String> initParams, Map<String, String> env, ClassLoader loader)
            throws ServletException {
        SettingSource settings = new SettingSource(initParams, env);
        ProxyConfig config;
        try {
            config = ProxyConfig.from(initParams, env);
        } catch (IllegalArgumentException e) {
            throw fail("bad setting: " + e.getMessage());
        }
        Optional<String> provider = providerName(settings);
        Optional<String> sandboxes = settings.text(ProxyServlet.PARAM_SANDBOXES);
        Optional<String> authenticator = settings.text(ProxyServlet.PARAM_AUTHENTICATOR);
        Optional<String> resolver = settings.text(ProxyServlet.PARAM_RESOLVER);
        Optional<String> connector = settings.text(ProxyServlet.PARAM_CONNECTOR);
        if (provider.isPresent()) {
            refuseAlongside(provider.get() + " provider", "it builds all three SPIs", Map.of(
                    ProxyServlet.PARAM_SANDBOXES, sandboxes, ProxyServlet.PARAM_AUTHENTICATOR, authenticator,
                    ProxyServlet.PARAM_RESOLVER, resolver, ProxyServlet.PARAM_CONNECTOR, connector));
            SpiBundle bundle = provide(provider.get(), initParams, env, loader);
            return new Spis(config, bundle.authenticator(), bundle.resolver(), bundle.connector(), bundle.resources());
        }
        UpstreamConnector upstream = connector.isPresent()
                ? instantiate(ProxyServlet.PARAM_CONNECTOR, connector.get(), UpstreamConnector.class, loader)
                : new DirectPodConnector();
        if (sandboxes.isPresent()) {
            refuseAlongside(ProxyServlet.PARAM_SANDBOXES, "the file authenticates and resolves", Map.of(
                    ProxyServlet.PARAM_AUTHENTICATOR, authenticator, ProxyServlet.PARAM_RESOLVER, resolver));
            StaticSandboxes statics;
            try {
                statics = StaticSandboxes.load(Path.of(sandboxes.get()));
            } catch (IllegalArgumentException e) {
                throw fail(ProxyServlet.PARAM_SANDBOXES + ": " + e.getMessage());
            }
            return new Spis(config, statics.authenticator(), statics.resolver(), upstream, null);
        }
        if (authenticator.isEmpty() || resolver.isEmpty()) {
            throw fail("no SPIs configured: set " + ProxyServlet.PARAM_SANDBOXES + ", or both "
                    + ProxyServlet.PARAM_AUTHENTICATOR + " and " + ProxyServlet.PARAM_RESOLVER + ", or "
                    + ProxyServlet.PARAM_KUBERNETES + "=true, or " + ProxyServlet.PARAM_SPI_PROVIDER + " (missing "
                    + (authenticator.isEmpty() ? ProxyServlet.PARAM_AUTHENTICATOR : ProxyServlet.PARAM_RESOLVER)
                    + ")");
        }
        return new Spis(config,
                instantiate(ProxyServlet.PARAM_AUTHENTICATOR, authenticator.get(), TokenAuthenticator.class, loader),
                instantiate(ProxyServlet.PARAM_RESOLVER, resolver.get(), SandboxResolver.class, loader),
                upstream, null);
    }

    /** {@code spiProvider}, or {@code kubernetes} for {@code kubernetes=true}; both at once only if they agree. */
    private static Optional<String> providerName(SettingSource settings) throws ServletException {
        boolean kubernetes;
        try {
            kubernetes = settings.bool(ProxyServlet.PARAM_KUBERNETES).orElse(false);
        } catch (IllegalArgumentException e) {
            throw fail("bad setting: " + e.getMessage());
        }
        Optional<String> named = settings.text(ProxyServlet.PARAM_SPI_PROVIDER);
        if (kubernetes && named.isPresent() && !named.get().equals(KubernetesSpiProvider.NAME)) {
            throw fail(ProxyServlet.PARAM_KUBERNETES + "=true conflicts with " + ProxyServlet.PARAM_SPI_PROVIDER
                    + "=" + named.get() + ": set one of them");
        }
        return kubernetes ? Optional.of(KubernetesSpiProvider.NAME) : named;
    }

    private static void refuseAlongside(String winner, String why, Map<String, Optional<String>> others)
            throws ServletException {
        List<String> set = others.entrySet().stream().filter(e -> e.getValue().isPresent()).map(Map.Entry::getKey)
                .sorted().toList();
        if (!set.isEmpty()) {
            // Silently ignoring one would start a gateway that authenticates differently than its operator thinks.
            throw fail(String.join(", ", set) + " cannot be combined with " + winner + " (" + why + "): remove "
                    + (set.size() == 1 ? "it" : "them") + " (init-param or " + SettingSource.envName(set.get(0))
                    + (set.size() == 1 ? "" : ", ...") + ")");
        }
    }

    private static SpiBundle provide(String name, Function<String, String> initParams, Map<String, String> env,
                                     ClassLoader loader) throws ServletException {
        List<String> found = new ArrayList<>();
        SpiProvider chosen = null;
        try {
            for (SpiProvider provider : ServiceLoader.load(SpiProvider.class, loader)) {
                found.add(provider.name());
                if (chosen == null && name.equals(provider.name())) {
                    chosen = provider;
                }
            }
        } catch (ServiceConfigurationError e) {
            throw fail("cannot load the SPI providers: " + e.getMessage(), e);
        }
        if (chosen == null) {
            throw fail(ProxyServlet.PARAM_SPI_PROVIDER + ": no SpiProvider named '" + name + "' on the class path"
                    + (found.isEmpty() ? "" : " (found: " + String.join(", ", found) + ")"));
        }
        try {
            return chosen.create(initParams, env);
        } catch (LinkageError e) {
            throw fail(name + " provider: a class it needs is missing from the class path"
                    + (KubernetesSpiProvider.NAME.equals(name) ? " (add io.kubernetes:client-java)" : "") + ": " + e,
                    e);
        } catch (RuntimeException e) {
            throw fail(name + " provider: " + e.getMessage(), e);
        }
    }

    private static <T> T instantiate(String param, String className, Class<T> type, ClassLoader loader)
            throws ServletException {
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw fail(param + ": cannot load class " + className + ": " + e);
        }
        if (!type.isAssignableFrom(c)) {
            throw fail(param + ": " + className + " does not implement " + type.getName());
        }
        try {
            Constructor<?> constructor = c.getConstructor();
            if (Modifier.isAbstract(c.getModifiers())) {
                throw fail(param + ": " + className + " is abstract");
            }
            return type.cast(constructor.newInstance());
        } catch (NoSuchMethodException e) {
            throw fail(param + ": " + className + " has no public no-argument constructor");
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw fail(param + ": cannot create " + className + ": " + cause, cause);
        }
    }

    /**
     * Registers {@code metrics} over JMX under {@code name}.
     *
     * @return what undoes the registration, or {@code null} when it failed, which is logged and not fatal: the metrics
     *         stay readable through {@link ProxyServlet#metrics()}
     */
    static AutoCloseable registerMetrics(ProxyMetrics metrics, String name) {
        try {
            ObjectName registered = metrics.registerMBean(name);
            return () -> ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
        } catch (JMException | RuntimeException e) {
            // Two gateways under one name in one JVM (tests, redeploys).
            LOG.info("ProxyMetrics not registered over JMX as {}: {}", name, e.toString());
            return null;
        }
    }

    /** Closes {@code resource} ({@code null} does nothing); a failure is logged, so that the rest still stops. */
    static void close(AutoCloseable resource, String what) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed", what, e);
        }
    }

    private static ServletException fail(String message) {
        return new ServletException("liteboxd-proxy: " + message);
    }

    private static ServletException fail(String message, Throwable cause) {
        return new ServletException("liteboxd-proxy: " + message, cause);
    }
}
