package io.liteboxd.proxy.internal.header;

import java.util.List;

/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1), in both directions: the fixed set
 * and every header the message's own {@code Connection} names.
 */
final class HopByHopFilter implements HeaderFilter {

    static final String[] NAMES = {"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "HTTP2-Settings"};

    @Override
    public void request(HeaderBlock headers, HeaderContext context) {
        strip(headers);
    }

    @Override
    public void response(HeaderBlock headers, HeaderContext context) {
        strip(headers);
    }

    private static void strip(HeaderBlock headers) {
        String[] listed = Names.tokens(headers.values("Connection"));
        headers.removeIf(name -> Names.in(name, NAMES) || (listed.length > 0 && Names.in(name, listed)));
    }

    @Override
    public List<HeaderRule> rules() {
        return List.of(new HeaderRule(String.join(", ", NAMES), "both",
                        "dropped (hop-by-hop; each leg frames its own connection)", "always"),
                new HeaderRule("(named in Connection)", "both", "dropped (hop-by-hop by declaration)", "always"));
    }
}
