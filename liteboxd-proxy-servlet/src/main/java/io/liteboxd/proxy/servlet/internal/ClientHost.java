package io.liteboxd.proxy.servlet.internal;

/**
 * The host the client addressed, as the gateway uses it for host-style routes, the Origin check and
 * {@code X-Forwarded-Host}.
 *
 * <p>{@code Host} by default. The first {@code X-Forwarded-Host} only when configured to trust it
 * ({@code trustForwardedHost}): any client can send that header, so honouring it is only safe behind a proxy that
 * always sets or overwrites it.
 */
public final class ClientHost {

    private ClientHost() {
    }

    /**
     * @param forwarded the {@code X-Forwarded-Host} header if it is trusted, else null
     * @return {@code host[:port]}, or {@code null} when the request names none
     */
    public static String of(String forwarded, String host) {
        if (forwarded != null) {
            int comma = forwarded.indexOf(',');
            String first = (comma >= 0 ? forwarded.substring(0, comma) : forwarded).trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return host == null || host.isBlank() ? null : host.trim();
    }
}
