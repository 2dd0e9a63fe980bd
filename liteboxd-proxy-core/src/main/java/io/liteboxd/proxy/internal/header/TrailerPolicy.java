package io.liteboxd.proxy.internal.header;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which trailer fields cross the gateway, in either direction. A trailer may carry nothing a header could not: a field
 * crosses only if the {@link HeaderPolicy}, run on the trailers as if they were a head, leaves every field of its name
 * as it was (so a credential, a hop-by-hop or a transport field the policy strips from a head is dropped here too),
 * and it is not one of the fields that only mean something in a head (RFC 9110 6.5.1: framing, routing,
 * authentication, cookies, response control). Nothing the policy would add to a head (forwarding fields, the
 * connector's identity) is ever added to trailers. Used by the HTTP engine in both directions; the table in
 * {@code docs/security.md} names these rules.
 */
public final class TrailerPolicy {

    /** Stands in for a trailer's value while the policy looks at it: a token no filter rewrites or rejects. */
    private static final String MARK = "liteboxd-trailer-";

    private static final Set<String> HEAD_ONLY = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        HEAD_ONLY.addAll(Set.of("Content-Length", "Content-Encoding", "Content-Range", "Content-Type",
                "Transfer-Encoding", "Trailer", "TE", "Host", "Forwarded", "Max-Forwards", "Expect", "Range",
                "Authorization", "Proxy-Authorization", "WWW-Authenticate", "Proxy-Authenticate", "Cookie",
                "Set-Cookie", "Cache-Control", "Expires", "Age", "Date", "Vary", "Location", "Retry-After"));
    }

    private TrailerPolicy() {
    }

    /** The client's request trailers the upstream may see. */
    public static HeaderBlock request(HeaderPolicy policy, HeaderBlock trailers, HeaderContext context) {
        return filter(trailers, block -> policy.request(block, context));
    }

    /** The upstream's response trailers the client may see. */
    public static HeaderBlock response(HeaderPolicy policy, HeaderBlock trailers, HeaderContext context) {
        return filter(trailers, block -> policy.response(block, context));
    }

    /** Whether a field of this name may ever be a trailer. */
    public static boolean allowed(String name) {
        return !HEAD_ONLY.contains(name) && !name.regionMatches(true, 0, "X-Forwarded-", 0, 12);
    }

    /** The names of a {@code Trailer} header that may be trailers, or null for none. */
    public static String announced(String trailerHeader) {
        StringBuilder names = new StringBuilder();
        for (String name : trailerHeader.split(",")) {
            String n = name.trim();
            if (!n.isEmpty() && allowed(n)) {
                names.append(names.length() == 0 ? "" : ", ").append(n);
            }
        }
        return names.length() == 0 ? null : names.toString();
    }

    private static HeaderBlock filter(HeaderBlock trailers, Consumer<HeaderBlock> policy) {
        // Each candidate goes through the policy under a value of its own: it survives only if that very field is
        // still there, neither dropped nor replaced (a connector header of the same name and value included).
        HeaderBlock marked = new HeaderBlock(trailers.size() + 8);
        for (int i = 0; i < trailers.size(); i++) {
            if (allowed(trailers.name(i))) {
                marked.add(trailers.name(i), MARK + i);
            }
        }
        policy.accept(marked);
        HeaderBlock out = new HeaderBlock(trailers.size());
        for (int i = 0; i < trailers.size(); i++) {
            String name = trailers.name(i);
            if (allowed(name) && marked.values(name).contains(MARK + i)) {
                out.add(name, trailers.value(i));
            }
        }
        return out;
    }
}
