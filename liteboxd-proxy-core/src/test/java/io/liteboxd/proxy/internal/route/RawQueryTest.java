package io.liteboxd.proxy.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RawQueryTest {

    private static final String P = "liteboxd_token";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "liteboxd_token=abc|NULL",
            "a=1&liteboxd_token=abc|a=1",
            "liteboxd_token=abc&a=1|a=1",
            "a=%7E&liteboxd_token=abc&b=x+y&c=%c3%a9&a=2|a=%7E&b=x+y&c=%c3%a9&a=2",
            "a=1&&liteboxd_token=abc&|a=1&&",
            "liteboxd%5Ftoken=abc&z=%2F|z=%2F",
            "liteboxd_token&k=v|k=v",
            "liteboxd_token=a&liteboxd_token=b|NULL",
            "xliteboxd_token=1&liteboxd_tokenx=2|xliteboxd_token=1&liteboxd_tokenx=2",
            "bad=%zz&liteboxd_token=t|bad=%zz",
    })
    void without_removesOnlyTheParameter_andKeepsEveryOtherByte(String query, String expected) {
        assertThat(RawQuery.without(query, P)).isEqualTo(expected);
    }

    @Test
    void without_returnsTheSameStringWhenAbsent_andKeepsNullAndEmpty() {
        String q = "a=1&b=%20";
        assertThat(RawQuery.without(q, P)).isSameAs(q);
        assertThat(RawQuery.without(null, P)).isNull();
        assertThat(RawQuery.without("", P)).isEmpty();
    }

    @Test
    void values_areFormDecodedInOrder() {
        assertThat(RawQuery.values("liteboxd_token=a%2Bb+c&x=1&liteboxd%5ftoken=%E2%9C%93", P))
                .containsExactly("a+b c", "\u2713");
        assertThat(RawQuery.values("liteboxd_token", P)).containsExactly("");
        assertThat(RawQuery.values("x=1", P)).isEmpty();
        assertThat(RawQuery.values(null, P)).isEmpty();
    }

    @Test
    void values_malformedEncodingIsNull() {
        assertThat(RawQuery.values("liteboxd_token=%E2%9C", P)).containsExactly((String) null);
        assertThat(Arrays.asList(RawQuery.decode("%g0"), RawQuery.decode("%4"))).containsOnlyNulls();
    }
}
