package io.liteboxd.proxy.internal.header;

import java.util.List;
import java.util.Locale;

/**
 * Response headers whose effect reaches beyond the sandbox port that sent them. On path routes every sandbox, and
 * the application embedding the gateway, share one origin, so nothing origin-wide may come from a sandbox:
 * {@code Clear-Site-Data} would log the user out of every sandbox and wipe their storage, {@code NEL},
 * {@code Report-To} and {@code Reporting-Endpoints} would install an origin-wide reporting policy whose reports carry
 * URLs, and {@code Service-Worker-Allowed} would let a worker claim the whole origin (it is confined under the
 * sandbox port's mount instead). {@code Clear-Site-Data} is dropped on host routes too: its cookie clearing covers
 * the whole registrable domain, every sandbox host included.
 *
 * <p>On host routes, a response without a {@code Cross-Origin-Resource-Policy} gets {@code same-site}: a page of
 * another site cannot embed a user's sandbox content as an image or script (and read it through side channels),
 * while the sandbox's other ports, all under the same base domain, still can. An app that means its content for
 * everyone sends its own header.
 */
final class SharedOriginFilter implements HeaderFilter {

    private static final String[] ORIGIN_WIDE = {"Clear-Site-Data", "NEL", "Report-To", "Reporting-Endpoints"};
    private static final String SERVICE_WORKER_ALLOWED = "Service-Worker-Allowed";
    private static final String CORP = "Cross-Origin-Resource-Policy";

    @Override
    public void response(HeaderBlock headers, HeaderContext context) {
        if (context.pathRoute()) {
            headers.removeIf(name -> Names.in(name, ORIGIN_WIDE));
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.name(i).equalsIgnoreCase(SERVICE_WORKER_ALLOWED)) {
                    headers.value(i, confined(headers.value(i), context.mount()));
                }
            }
        } else {
            headers.remove("Clear-Site-Data");
            if (!headers.contains(CORP)) {
                headers.add(CORP, "same-site");
            }
        }
    }

    /**
     * A worker scope moved under {@code mount} as {@code Location} is; null (dropped) when it is not a plain
     * root-relative path, since anything else (an absolute URL, a relative path, dot segments in any encoding) could
     * resolve outside the mount.
     */
    static String confined(String scope, String mount) {
        String s = scope.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (!s.startsWith("/") || s.startsWith("//") || s.indexOf('\\') >= 0 || lower.contains("%2e")
                || lower.contains("%2f") || lower.contains("%5c") || hasDotSegment(s)) {
            return null;
        }
        return PrefixRewriter.location(s, mount);
    }

    private static boolean hasDotSegment(String path) {
        for (String segment : path.split("[/?#]", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<HeaderRule> rules() {
        return List.of(
                HeaderRule.response("Clear-Site-Data", "dropped", "always"),
                HeaderRule.response("NEL", "dropped", "path routes"),
                HeaderRule.response("Report-To", "dropped", "path routes"),
                HeaderRule.response("Reporting-Endpoints", "dropped", "path routes"),
                HeaderRule.response(SERVICE_WORKER_ALLOWED, "a root-relative scope moved under the mount; any other "
                        + "value dropped", "path routes"),
                HeaderRule.response(CORP, "`same-site` added when the app sent none", "host routes"));
    }
}
