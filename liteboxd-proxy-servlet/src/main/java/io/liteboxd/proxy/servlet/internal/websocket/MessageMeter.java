package io.liteboxd.proxy.servlet.internal.websocket;

/**
 * Counts the bytes of the message in flight in one direction, for the max message size. Messages are streamed, so
 * this is the only place their size is known. Not thread-safe: each direction delivers serially.
 */
final class MessageMeter {

    private final long limit;
    private long current;

    public MessageMeter(long limit) {
        this.limit = limit;
    }

    /** @return false when this fragment takes the message over the limit */
    public boolean add(long bytes, boolean last) {
        current += bytes;
        if (current > limit) {
            return false;
        }
        if (last) {
            current = 0;
        }
        return true;
    }

    public String tooBigReason() {
        return "message larger than " + limit + " bytes";
    }
}
