/**
 * Micrometer bridge of the gateway's {@link io.liteboxd.proxy.observe.ProxyListener} events:
 * {@link io.liteboxd.proxy.observe.micrometer.MicrometerProxyListener}. The only package that needs
 * {@code io.micrometer:micrometer-core}, an optional dependency of the library.
 */
package io.liteboxd.proxy.observe.micrometer;
