package io.liteboxd.gateway;

/** The gateway could not start; the message is one line that says why, fit to print to the operator. */
public final class GatewayStartException extends Exception {

    private static final long serialVersionUID = 1L;

    public GatewayStartException(String message) {
        super(message);
    }

    public GatewayStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
