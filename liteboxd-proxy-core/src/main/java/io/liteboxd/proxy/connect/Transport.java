package io.liteboxd.proxy.connect;

/** Which kind of upstream leg a target is built for; decides the URI scheme. */
public enum Transport {
    /** Plain HTTP request/response: {@code http://} or {@code https://}. */
    HTTP,
    /** WebSocket: {@code ws://} or {@code wss://}. */
    WEBSOCKET
}
