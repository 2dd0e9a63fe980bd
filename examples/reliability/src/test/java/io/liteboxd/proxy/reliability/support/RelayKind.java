package io.liteboxd.proxy.reliability.support;

import io.liteboxd.proxy.config.ProxyConfig;

/**
 * The two WebSocket relays the library has on Jetty. Each WebSocket suite runs once per relay; {@link Gateway}
 * checks at start that the servlet really chose the one asked for, so a suite cannot silently test the other.
 */
public enum RelayKind {
    /** Jetty-native: the byte stream relayed as received, frames checked in place (chosen by {@code AUTO}). */
    TUNNEL(ProxyConfig.WebSocketRelay.AUTO, "jetty-tunnel"),
    /** The portable Jakarta WebSocket bridge (what Tomcat and Undertow get). */
    JAKARTA_BRIDGE(ProxyConfig.WebSocketRelay.JAKARTA, "jakarta-bridge");

    final ProxyConfig.WebSocketRelay setting;
    final String describedAs;

    RelayKind(ProxyConfig.WebSocketRelay setting, String describedAs) {
        this.setting = setting;
        this.describedAs = describedAs;
    }
}
