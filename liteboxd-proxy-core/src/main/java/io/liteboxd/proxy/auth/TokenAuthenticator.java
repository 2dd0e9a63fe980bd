package io.liteboxd.proxy.auth;

/**
 * Decides whether an access token opens a sandbox. <b>SPI</b>: supply your own to check tokens against your store.
 *
 * <p>Called before the sandbox is resolved, so an unknown sandbox and a wrong token look the same to a caller
 * without a valid token (401): ids cannot be probed. The gateway has already rejected missing, empty and
 * duplicated tokens, so {@code token} is never {@code null} or empty.
 *
 * <p>Implementations must compare secrets in constant time ({@link java.security.MessageDigest#isEqual}) and must not
 * log the token. A thrown exception answers 503 {@code internal_error} and is logged without the token.
 */
@FunctionalInterface
public interface TokenAuthenticator {

    /**
     * @param sandboxId the validated sandbox id from the route
     * @param token     the token the client presented: {@code X-Access-Token}, else the {@code liteboxd_token} query
     *                  parameter, else each distinct {@code liteboxd_token} cookie value in turn
     * @return {@code true} if the token grants access to this sandbox
     */
    boolean authenticate(String sandboxId, String token);
}
