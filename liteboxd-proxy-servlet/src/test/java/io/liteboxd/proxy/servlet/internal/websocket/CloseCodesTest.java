package io.liteboxd.proxy.servlet.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CloseCodesTest {

    @ParameterizedTest(name = "{0} from upstream -> {1} to client; from client -> {2} to upstream")
    @CsvSource({
            "1000,1000,1000", "1001,1001,1001", "1002,1002,1002", "1003,1003,1003",
            "1005,1000,1000", "1006,1011,1001", "1015,1011,1001",
            "1007,1007,1007", "1008,1008,1008", "1009,1009,1009", "1011,1011,1011", "1012,1012,1012",
            "1013,1013,1013", "1014,1014,1014", "3000,3000,3000", "4001,4001,4001", "4999,4999,4999",
            "1004,1011,1001", "1016,1011,1001", "2999,1011,1001", "999,1011,1001", "5000,1011,1001", "0,1011,1001"})
    void mapsEveryCodeToASendableOne(int seen, int toClient, int toUpstream) {
        assertThat(CloseCodes.towardsClient(seen)).isEqualTo(toClient);
        assertThat(CloseCodes.towardsUpstream(seen)).isEqualTo(toUpstream);
        assertThat(CloseCodes.sendable(CloseCodes.towardsClient(seen))).isTrue();
        assertThat(CloseCodes.sendable(CloseCodes.towardsUpstream(seen))).isTrue();
    }

    @Test
    void cutsReasonsTo123BytesOnACharacterBoundary() {
        assertThat(CloseCodes.reason(null)).isEmpty();
        assertThat(CloseCodes.reason("bye")).isEqualTo("bye");
        String ascii = "x".repeat(200);
        assertThat(CloseCodes.reason(ascii)).hasSize(123);
        String wide = "\u4f60".repeat(60); // 3 bytes each
        String cut = CloseCodes.reason(wide);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123).isEqualTo(123);
        String emoji = "a" + "\uD83D\uDE00".repeat(40); // 1 + 4 bytes each
        String cutEmoji = CloseCodes.reason(emoji);
        assertThat(cutEmoji.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertThat(Character.isHighSurrogate(cutEmoji.charAt(cutEmoji.length() - 1))).isFalse();
    }
}
