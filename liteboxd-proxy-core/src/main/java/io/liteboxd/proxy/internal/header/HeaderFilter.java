package io.liteboxd.proxy.internal.header;

import java.util.List;

/**
 * One rule about the headers that cross the gateway, in one or both directions. The {@link HeaderPolicy} runs its
 * filters in order over every message of every leg, so a filter sees what the ones before it left.
 *
 * <p>A filter states what it does as {@link HeaderRule}s, from the same data it acts on, so that the table in
 * {@code docs/security.md} is checked against the code.
 */
public interface HeaderFilter {

    /** Filters a client request's headers on their way to the upstream. */
    default void request(HeaderBlock headers, HeaderContext context) {
    }

    /** Filters an upstream response's headers on their way to the client. */
    default void response(HeaderBlock headers, HeaderContext context) {
    }

    /** What this filter does, one row per header (or header family). */
    List<HeaderRule> rules();
}
