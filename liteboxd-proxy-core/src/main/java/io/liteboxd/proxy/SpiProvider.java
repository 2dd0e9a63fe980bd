package io.liteboxd.proxy;

import java.util.Map;
import java.util.function.Function;

/**
 * A named factory of the three SPIs, for deployments configured by settings rather than code. <b>SPI</b>: register an
 * implementation in {@code META-INF/services/io.liteboxd.proxy.SpiProvider}; {@code ProxyServlet} finds it with
 * {@link java.util.ServiceLoader} and uses it when the init-param {@code spiProvider} (or
 * {@code LITEBOXD_SPI_PROVIDER}) names it. The library registers {@code kubernetes}, which {@code kubernetes=true}
 * also selects.
 *
 * <p>An implementation needs a public no-argument constructor and should reference optional dependencies only from
 * {@link #create}, so that merely finding it never fails on a class path without them.
 */
public interface SpiProvider {

    /** The name an {@code spiProvider} setting selects this provider by, e.g. {@code kubernetes}. */
    String name();

    /**
     * Builds the SPIs, once, at servlet start.
     *
     * @param settings the servlet's settings by name, e.g. {@code ServletConfig::getInitParameter}
     * @param env      the process environment
     * @return the SPIs and what to close when the servlet stops
     * @throws IllegalArgumentException or {@link IllegalStateException} with a one-line reason when a setting is
     *                                  wrong or something the SPIs need is missing; it fails the servlet's start
     */
    SpiBundle create(Function<String, String> settings, Map<String, String> env);
}
