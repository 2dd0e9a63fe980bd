package io.liteboxd.gateway;

/** A command line the gateway cannot run with; the message is one line meant for the person who typed it. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
