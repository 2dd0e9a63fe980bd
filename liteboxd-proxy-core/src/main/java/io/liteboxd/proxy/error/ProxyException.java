package io.liteboxd.proxy.error;

import java.util.Objects;

/**
 * A gateway failure that maps to one HTTP status and JSON body. The message is safe to show to the client:
 * never put secrets, stack traces or internal addresses into it.
 */
public class ProxyException extends RuntimeException {

    private final ProxyError error;
    private final int status;

    public ProxyException(ProxyError error, String message) {
        this(error, error.status(), message, null);
    }

    public ProxyException(ProxyError error, String message, Throwable cause) {
        this(error, error.status(), message, cause);
    }

    /** For errors whose status is taken from elsewhere, e.g. an upstream's own 4xx refusal of a handshake. */
    public ProxyException(ProxyError error, int status, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.error = Objects.requireNonNull(error, "error");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        this.status = status;
    }

    public ProxyError error() {
        return error;
    }

    public int status() {
        return status;
    }
}
