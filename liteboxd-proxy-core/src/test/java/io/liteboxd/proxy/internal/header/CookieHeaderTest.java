package io.liteboxd.proxy.internal.header;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CookieHeaderTest {

    private static final String C = "liteboxd_token";

    @Test
    void values_acrossLinesInOrder_unquoted() {
        assertThat(CookieHeader.values(List.of("a=1; liteboxd_token=one", "liteboxd_token=\"two\"; b=2"), C))
                .containsExactly("one", "two");
        assertThat(CookieHeader.values(List.of("xliteboxd_token=1; liteboxd_tokenx=2"), C)).isEmpty();
        assertThat(CookieHeader.values(null, C)).isEmpty();
    }

    @Test
    void without_removesOnlyThatCookie_andKeepsOtherValuesVerbatim() {
        assertThat(CookieHeader.without("session=a%3Db==; liteboxd_token=t; theme=\"dark mode\"", C))
                .isEqualTo("session=a%3Db==; theme=\"dark mode\"");
        assertThat(CookieHeader.without("liteboxd_token=t", C)).isNull();
        assertThat(CookieHeader.without("liteboxd_token=t;liteboxd_token=u", C)).isNull();
        String untouched = "a=1;b=2";
        assertThat(CookieHeader.without(untouched, C)).isSameAs(untouched);
    }
}
