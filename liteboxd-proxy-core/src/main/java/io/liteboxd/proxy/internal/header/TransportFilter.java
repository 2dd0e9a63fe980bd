package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.List;

/**
 * Fields that belong to the transport of one leg and are computed by it: the upstream's {@code Host} (unless the
 * client's is preserved for this sandbox port), the WebSocket
 * handshake's {@code Sec-WebSocket-*} (each leg negotiates its own), {@code Expect} (the client's container answers
 * it when the relay first reads the body, so the upstream would only be asked again), and the
 * response's {@code Date}, which every container sends itself (two would go out otherwise).
 */
final class TransportFilter implements HeaderFilter {

    static final String[] HANDSHAKE = {"Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept"};
    private static final String[] REQUEST = {"Host", "Expect", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept"};
    private static final String[] RESPONSE = {"Date", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept"};

    @Override
    public void request(HeaderBlock headers, HeaderContext context) {
        headers.removeIf(name -> Names.in(name, REQUEST));
        if (context.admission().preserveHost()) {
            // A leg sends the upstream's own address only when no Host is left here.
            headers.add("Host", context.clientHost());
        }
    }

    @Override
    public void response(HeaderBlock headers, HeaderContext context) {
        headers.removeIf(name -> Names.in(name, RESPONSE));
    }

    @Override
    public List<HeaderRule> rules() {
        List<HeaderRule> rules = new ArrayList<>();
        rules.add(HeaderRule.request("Host", "replaced by the upstream's own (the client's is in `X-Forwarded-Host`); "
                + "the client's kept with `preserveHost`, except in API-server mode", "always"));
        rules.add(HeaderRule.request("Expect", "dropped: the client's container sends the 100 when the body is first read",
                "always"));
        rules.add(new HeaderRule(String.join(", ", HANDSHAKE), "both", "negotiated by each leg itself, never copied",
                "always"));
        rules.add(HeaderRule.response("Date", "dropped: the container sends its own", "always"));
        return rules;
    }
}
