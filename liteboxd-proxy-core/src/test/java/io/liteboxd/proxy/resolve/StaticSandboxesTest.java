package io.liteboxd.proxy.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StaticSandboxesTest {

    @TempDir
    Path dir;

    @Test
    void loadsTheDocumentedFormat() throws IOException {
        Path file = write("""
                {"sandboxes":[{"id":"abc12345","host":"127.0.0.1","token":"s3cret"},
                 {"id":"zz","host":"10.0.0.7","token":"t","ready":false,"ports":[8000,8001]}]}""");
        StaticSandboxes statics = StaticSandboxes.load(file);

        Sandbox abc = statics.resolver().resolve("abc12345").orElseThrow();
        assertThat(abc.host()).isEqualTo("127.0.0.1");
        assertThat(abc.ready()).isTrue();
        assertThat(abc.allowsPort(1)).isTrue();

        Sandbox zz = statics.resolver().resolve("zz").orElseThrow();
        assertThat(zz.ready()).isFalse();
        assertThat(zz.ports()).isEqualTo(Set.of(8000, 8001));
        assertThat(zz.allowsPort(8000)).isTrue();
        assertThat(zz.allowsPort(8002)).isFalse();

        assertThat(statics.resolver().resolve("nope")).isEmpty();
        assertThat(statics.authenticator().authenticate("abc12345", "s3cret")).isTrue();
        assertThat(statics.authenticator().authenticate("abc12345", "s3cret ")).isFalse();
        assertThat(statics.authenticator().authenticate("abc12345", "t")).isFalse();
        assertThat(statics.authenticator().authenticate("zz", "s3cret")).isFalse();
        assertThat(statics.authenticator().authenticate("nope", "s3cret")).isFalse();
    }

    @Test
    void acceptsAPodNameForTheApiServerModeAndNothingButAString() throws IOException {
        Path file = write("""
                {"sandboxes":[{"id":"a","host":"h","token":"t","podName":"worker-1"}]}""");
        assertThat(StaticSandboxes.load(file).resolver().resolve("a")).contains(Sandbox.ready("a", "h"));
        Path bad = write("""
                {"sandboxes":[{"id":"a","host":"h","token":"t","podName":7}]}""");
        assertThatThrownBy(() -> StaticSandboxes.load(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sandboxes[0].podName: expected a string");
    }

    @Test
    void readsPerPortForwardingOptions() throws IOException {
        Path file = write("""
                {"sandboxes":[{"id":"nb","host":"10.0.0.7","token":"n","keepPrefixPorts":[8888],
                  "preserveHostPorts":[8888,5173]}]}""");
        Sandbox nb = StaticSandboxes.load(file).resolver().resolve("nb").orElseThrow();

        assertThat(nb.keepPrefixPorts()).containsExactly(8888);
        assertThat(nb.preserveHostPorts()).containsExactlyInAnyOrder(8888, 5173);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"keepPrefixPorts\":[0]}]} | keepPrefixPorts: 0 is not a port",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"preserveHostPorts\":8}]} | preserveHostPorts: expected an array",
            "{\"sandboxes\":[{\"host\":\"h\",\"token\":\"t\"}]} | sandboxes[0].id: required",
            "{\"sandboxes\":[{\"id\":\"a\",\"token\":\"t\"}]} | sandboxes[0].host: required",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\"}]} | sandboxes[0].token: required",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"\"}]} | sandboxes[0].token: required",
            "{\"sandboxes\":[{\"id\":\"A!\",\"host\":\"h\",\"token\":\"t\"}]} | sandboxes[0].id:",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"ports\":[70000]}]} | 70000 is not a port",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"ports\":[\"80\"]}]} | is not a port",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"ports\":80}]} | expected an array",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"ready\":\"no\"}]} | ready: expected true or false",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\",\"tokne\":\"x\"}]} | unknown field \"tokne\"",
            "{\"sandboxes\":[{\"id\":\"a\",\"host\":\"h\",\"token\":\"t\"},{\"id\":\"a\",\"host\":\"h\",\"token\":\"u\"}]} | duplicate sandbox id: a",
            "{\"sandbox\":[]} | \"sandboxes\" array",
            "[] | \"sandboxes\" array",
            "{\"sandboxes\":[1]} | sandboxes[0]: expected an object",
            "{not json | not valid JSON",
    })
    void badFilesGetAMessageNamingFileAndProblem(String json, String expected) throws IOException {
        Path file = write(json);
        assertThatThrownBy(() -> StaticSandboxes.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(expected.trim());
    }

    @Test
    void keepsFileOrder() throws IOException {
        StringBuilder json = new StringBuilder("{\"sandboxes\":[");
        for (int i = 0; i < 30; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"s").append(29 - i)
                    .append("\",\"host\":\"h\",\"token\":\"t\"}");
        }
        StaticSandboxes statics = StaticSandboxes.load(write(json.append("]}").toString()));
        assertThat(statics.entries()).extracting(e -> e.sandbox().id()).first().isEqualTo("s29");
        assertThat(statics.entries()).extracting(e -> e.sandbox().id()).last().isEqualTo("s0");
    }

    @Test
    void aDirectoryIsNotReportedAsBadJson() {
        assertThatThrownBy(() -> StaticSandboxes.load(dir))
                .hasMessageStartingWith(dir + ": cannot read");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("absent.json");
        assertThatThrownBy(() -> StaticSandboxes.load(missing))
                .hasMessage(missing + ": no such file");
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "sandboxes", ".json");
        Files.writeString(file, json);
        return file;
    }
}
