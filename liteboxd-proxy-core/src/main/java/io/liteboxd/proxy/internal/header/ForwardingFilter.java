package io.liteboxd.proxy.internal.header;

import java.util.List;

/**
 * What the upstream learns about the client and this hop, set by the gateway alone and consistently on every leg:
 * {@code X-Forwarded-For} extends the client's chain with the address the gateway saw; {@code X-Forwarded-Proto},
 * {@code -Host}, {@code -Port} and {@code -Prefix} describe this hop; {@code Via} names it by a pseudonym (the
 * gateway's host name is none of a sandbox's business). Every other claim a client could make about the path it took
 * ({@code Forwarded}, {@code X-Real-IP}, any other {@code X-Forwarded-*}) is dropped: an app that trusts one of them
 * would otherwise trust the client.
 */
final class ForwardingFilter implements HeaderFilter {

    /** The {@code Via} pseudonym of every gateway. */
    static final String VIA_NAME = "liteboxd";
    static final String REQUEST_ID = "X-Request-ID";
    private static final String[] CLAIMS = {"Forwarded", "X-Real-IP", "X-Forwarded-Server", "X-Forwarded-Proto",
        "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Ssl", "X-Forwarded-Scheme",
        REQUEST_ID};

    @Override
    public void request(HeaderBlock headers, HeaderContext context) {
        String chain = joined(headers.values("X-Forwarded-For"));
        String via = joined(headers.values("Via"));
        headers.removeIf(name -> Names.in(name, CLAIMS) || name.equalsIgnoreCase("X-Forwarded-For")
                || name.equalsIgnoreCase("Via"));
        String version = context.protocol().regionMatches(true, 0, "HTTP/", 0, 5)
                ? context.protocol().substring(5) : context.protocol();
        String hop = version + " " + VIA_NAME;
        headers.add("Via", via.isEmpty() ? hop : via + ", " + hop);
        String address = context.clientAddress();
        headers.add("X-Forwarded-For", chain.isEmpty() ? address : address == null ? chain : chain + ", " + address);
        headers.add("X-Forwarded-Proto", context.secure() ? "https" : "http");
        headers.add("X-Forwarded-Host", context.clientHost());
        headers.add("X-Forwarded-Port", Integer.toString(context.serverPort()));
        // An app that gets the whole path knows its prefix already: one that also honoured this would double it.
        if (!context.mount().isEmpty() && !context.admission().keepPrefix()) {
            headers.add("X-Forwarded-Prefix", context.mount());
        }
        headers.add(REQUEST_ID, context.requestId());
    }

    private static String joined(List<String> values) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (String v : values) {
            if (!v.isBlank()) {
                if (s.length() > 0) {
                    s.append(", ");
                }
                s.append(v.trim());
            }
        }
        return s.toString();
    }

    @Override
    public List<HeaderRule> rules() {
        return List.of(
                HeaderRule.request("Forwarded", "dropped (the gateway speaks `X-Forwarded-*`)", "always"),
                HeaderRule.request("X-Real-IP", "dropped", "always"),
                HeaderRule.request("X-Forwarded-For", "the client's chain, then the address the gateway saw",
                        "always"),
                HeaderRule.request("X-Forwarded-Proto", "set: `http` or `https` of the client connection", "always"),
                HeaderRule.request("X-Forwarded-Host", "set: the host the client addressed", "always"),
                HeaderRule.request("X-Forwarded-Port", "set: the gateway port the client reached", "always"),
                HeaderRule.request("X-Forwarded-Prefix", "set: the sandbox port's mount path; a client's value "
                        + "dropped", "path routes that strip the prefix"),
                HeaderRule.request("X-Forwarded-Server, -Ssl, -Scheme", "dropped", "always"),
                HeaderRule.request(REQUEST_ID, "the client's when it is a sane token, else a new one", "always"),
                HeaderRule.request("Via", "this hop appended as `" + VIA_NAME + "`", "always"));
    }
}
