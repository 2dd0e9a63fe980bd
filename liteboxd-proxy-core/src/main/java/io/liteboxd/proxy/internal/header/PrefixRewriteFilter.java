package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps an app that does not know its mount path inside it ({@link PrefixRewriter}): a root-relative
 * {@code Location} is moved under the mount ({@code rewriteLocation}), and an upstream {@code Set-Cookie} loses its
 * {@code Domain} and has a root-relative {@code Path} moved under the mount ({@code scopeCookies}).
 */
final class PrefixRewriteFilter implements HeaderFilter {

    private final boolean rewriteLocation;
    private final boolean scopeCookies;

    PrefixRewriteFilter(boolean rewriteLocation, boolean scopeCookies) {
        this.rewriteLocation = rewriteLocation;
        this.scopeCookies = scopeCookies;
    }

    @Override
    public void response(HeaderBlock headers, HeaderContext context) {
        String mount = context.mount();
        for (int i = headers.size() - 1; i >= 0; i--) {
            String name = headers.name(i);
            if (scopeCookies && name.equalsIgnoreCase("Set-Cookie")) {
                headers.value(i, PrefixRewriter.setCookie(headers.value(i), mount));
            } else if (rewriteLocation && name.equalsIgnoreCase("Location")) {
                headers.value(i, PrefixRewriter.location(headers.value(i), mount));
            }
        }
    }

    @Override
    public List<HeaderRule> rules() {
        List<HeaderRule> rules = new ArrayList<>();
        if (rewriteLocation) {
            rules.add(HeaderRule.response("Location", "a root-relative value moved under the mount "
                    + "(`rewriteLocation`)", "path routes"));
        }
        if (scopeCookies) {
            rules.add(HeaderRule.response("Set-Cookie", "`Domain` dropped; a root-relative `Path` moved under the "
                    + "mount (`scopeCookies`)", "always (`Path`: path routes)"));
        }
        return rules;
    }
}
