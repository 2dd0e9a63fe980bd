package io.liteboxd.proxy.servlet.internal.websocket;

import java.nio.charset.StandardCharsets;

/**
 * Mapping a close status seen on one leg to one that may legally be sent on the other.
 *
 * <p>1005 (no status), 1006 (abnormal) and 1015 (TLS failure) are reported locally and must never be sent
 * (RFC 6455 section 7.4.1), so they become real codes: a leg that ended without a status becomes 1000 on the other
 * side; one that died becomes 1011 towards the client (the upstream failed, the gateway is fine) and 1001 towards
 * the upstream (the client went away).
 */
public final class CloseCodes {

    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {
    }

    /** A code seen from the upstream, made safe to send to the client. */
    public static int towardsClient(int code) {
        return code == 1005 ? NORMAL : sendable(code) ? code : INTERNAL_ERROR;
    }

    /** A code seen from the client, made safe to send to the upstream. */
    public static int towardsUpstream(int code) {
        return code == 1005 ? NORMAL : sendable(code) ? code : GOING_AWAY;
    }

    public static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** Close reasons are limited to 123 bytes of UTF-8; cut on a character boundary. */
    public static String reason(String reason) {
        if (reason == null) {
            return "";
        }
        int end = reason.length();
        while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 123) {
            end--;
        }
        if (end < reason.length() && end > 0 && Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end);
    }
}
