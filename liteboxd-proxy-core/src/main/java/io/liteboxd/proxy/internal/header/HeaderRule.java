package io.liteboxd.proxy.internal.header;

import java.util.List;

/**
 * One row of the header policy's table: what happens to {@code header} in {@code direction}, and when.
 *
 * @param header    a header name, several separated by {@code ", "}, or a family such as {@code Impersonate-*}
 * @param direction {@code request} (client to upstream) or {@code response} (upstream to client)
 * @param action    what the gateway does with it
 * @param scope     when: {@code always}, {@code path routes}, ...
 */
public record HeaderRule(String header, String direction, String action, String scope) {

    static HeaderRule request(String header, String action, String scope) {
        return new HeaderRule(header, "request", action, scope);
    }

    static HeaderRule response(String header, String action, String scope) {
        return new HeaderRule(header, "response", action, scope);
    }

    /** The header names this row is about (a family stays one name, e.g. {@code Impersonate-*}). */
    public List<String> names() {
        return List.of(header.split(", "));
    }

    /** The row as the Markdown table in {@code docs/security.md} has it. */
    public String markdown() {
        return "| `" + header + "` | " + direction + " | " + action + " | " + scope + " |";
    }
}
