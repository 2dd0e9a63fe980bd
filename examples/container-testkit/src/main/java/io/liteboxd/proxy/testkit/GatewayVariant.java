package io.liteboxd.proxy.testkit;

import io.liteboxd.proxy.config.ProxyConfig;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One way of running the gateway that a contract suite is held to: a container with a front end (how a module starts
 * it) and, for the WebSocket cases, a {@link ProxyConfig.WebSocketRelay} setting with the relay it must choose.
 *
 * <p>The suites are {@code @ParameterizedClass}es over these values. A container module lists its variants, one line
 * each, and runs each suite once with a class such as:
 * <pre>{@code
 * @ParameterizedClass(name = "[{0}]")
 * @MethodSource("io.liteboxd.proxy.container.tomcat.TomcatGateways#relays")
 * class TomcatWebSocketContractTest extends WebSocketContract {
 * }
 * }</pre>
 *
 * @param name      the container and front end, as display names show it
 * @param starter   starts the container with the gateway
 * @param limits    what this container cannot do (documented in docs/limitations.md); the suites expect it
 * @param relay     the {@code webSocketRelay} setting the gateway is started with
 * @param expectedRelay the start of {@code ProxyServlet.webSocketRelay()} the setting must lead to, or {@code null}
 *                  where the variant is not about WebSockets
 */
public record GatewayVariant(String name, Starter starter, Set<Limit> limits, ProxyConfig.WebSocketRelay relay,
                             String expectedRelay) {

    /** What a container cannot do that the contract otherwise asks for. */
    public enum Limit {
        /** Servlet response trailers are not sent (Undertow 2.3 closes the connection instead). */
        NO_TRAILERS,
        /** A streamed response the upstream cuts off is still ended normally (Undertow 2.3). */
        NO_STREAM_CUT_OFF
    }

    /** How a module starts its container with the gateway. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts the container on 127.0.0.1 with {@code ProxyServlet} built from {@code setup}, registered at the
         * root context with {@code ProxyRegistration.register}, {@link BodyReadingFilter} registered in front of it,
         * the Jakarta WebSocket {@code ServerContainer} installed and encoded slashes ({@code %2F}) let through to the
         * servlet undecoded.
         */
        Running start(GatewaySetup setup) throws Exception;
    }

    /** A started gateway; closing it stops the container. */
    public interface Running extends AutoCloseable {
        /** The gateway's base URI, {@code http://127.0.0.1:PORT}, without a path. */
        URI uri();

        /** {@code ProxyServlet.webSocketRelay()} of the servlet serving the gateway. */
        String webSocketRelay();
    }

    public GatewayVariant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(starter, "starter");
        limits = Set.copyOf(limits);
        Objects.requireNonNull(relay, "relay");
    }

    /** A container and front end with the default relay setting. */
    public static GatewayVariant of(String name, Starter starter, Limit... limits) {
        return new GatewayVariant(name, starter, Set.of(limits), ProxyConfig.WebSocketRelay.AUTO, null);
    }

    /** This container and front end with {@code relay} set, which must make the gateway choose {@code expected}. */
    public GatewayVariant relay(ProxyConfig.WebSocketRelay setting, String expected) {
        return new GatewayVariant(name, starter, limits, setting, Objects.requireNonNull(expected, "expected"));
    }

    public boolean has(Limit limit) {
        return limits.contains(limit);
    }

    /** Starts the gateway with {@code setup}, its relay setting replaced by this variant's. */
    public Running start(GatewaySetup setup) throws Exception {
        ProxyConfig config = setup.config().toBuilder().webSocketRelay(relay).build();
        return starter.start(new GatewaySetup(config, setup.authenticator(), setup.resolver(), setup.connector()));
    }

    @Override
    public String toString() {
        return expectedRelay == null ? name
                : name + ", " + relay.name().toLowerCase(Locale.ROOT) + ": " + expectedRelay;
    }
}
