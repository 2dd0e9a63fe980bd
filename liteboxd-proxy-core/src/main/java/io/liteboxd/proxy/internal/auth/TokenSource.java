package io.liteboxd.proxy.internal.auth;

import io.liteboxd.proxy.auth.ShareLinks;

/** Where the access token of a request came from. Exactly one source is used per request; see {@link Credential}. */
public enum TokenSource {
    /** The {@code X-Access-Token} header: API clients, CLIs, server-side code. */
    HEADER,
    /** The {@code liteboxd_token} query parameter: a link a person opens in a browser. */
    QUERY,
    /** The {@code liteboxd_token} cookie the gateway set after a query-parameter login: later page loads and WebSockets. */
    COOKIE,
    /** A signed share link, {@code liteboxd_share} query parameter ({@link ShareLinks}). */
    SHARE_LINK,
    /** The {@code liteboxd_share} cookie the gateway set after a share link was opened. */
    SHARE_COOKIE;

    /** True for the sources a browser attaches by itself, which need the Origin check. */
    public boolean ambient() {
        return this == COOKIE || this == SHARE_COOKIE;
    }

    /** True for share links and their cookie, which {@link ShareLinks} verifies instead of the authenticator. */
    public boolean shared() {
        return this == SHARE_LINK || this == SHARE_COOKIE;
    }
}
