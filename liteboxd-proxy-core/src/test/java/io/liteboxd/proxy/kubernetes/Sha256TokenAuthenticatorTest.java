package io.liteboxd.proxy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Sha256TokenAuthenticatorTest {

    // sha256("s3cret"), computed independently with sha256sum.
    private static final String S3CRET_SHA256 = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";

    @Test
    void matchesTheStoredDigestInEitherCase() {
        Map<String, String> db = Map.of("lower", S3CRET_SHA256, "upper", S3CRET_SHA256.toUpperCase());
        Sha256TokenAuthenticator auth = new Sha256TokenAuthenticator(id -> Optional.ofNullable(db.get(id)));
        assertThat(auth.authenticate("lower", "s3cret")).isTrue();
        assertThat(auth.authenticate("upper", "s3cret")).isTrue();
        assertThat(Sha256TokenAuthenticator.sha256Hex("s3cret")).isEqualTo(S3CRET_SHA256);
    }

    @Test
    void refusesWrongTokensUnknownSandboxesAndBrokenDigests() {
        Map<String, String> db = Map.of("a", S3CRET_SHA256, "broken", "not-hex", "short", "abcd");
        Sha256TokenAuthenticator auth = new Sha256TokenAuthenticator(id -> Optional.ofNullable(db.get(id)));
        assertThat(auth.authenticate("a", "s3cret ")).isFalse();
        assertThat(auth.authenticate("a", S3CRET_SHA256)).isFalse();
        assertThat(auth.authenticate("missing", "s3cret")).isFalse();
        assertThat(auth.authenticate("broken", "s3cret")).isFalse();
        assertThat(auth.authenticate("short", "s3cret")).isFalse();
        assertThat(new Sha256TokenAuthenticator(id -> null).authenticate("a", "s3cret")).isFalse();
    }
}
