package io.fluxgate.examples.dashboard;

import java.nio.charset.StandardCharsets;

import io.fluxgate.window.frame.RootFrameReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class NdjsonBodyTest {

    private static NdjsonBody.Result scan(String body, int maxLine, int maxErrors) {
        return NdjsonBody.scan(body.getBytes(StandardCharsets.UTF_8), RootFrameReader.ofDefaults(), maxLine, maxErrors);
    }

    @Test
    void validLinesKeepTheirBytesAndNumbersAndBlankLinesAreSkipped() {
        String body = "{\"uid\":\"a\",\"ts\":60,\"x\":{\"uid\":1}}\r\n\n   \n{\"uid\":\"b\",\"ts\":-5}";
        NdjsonBody.Result r = scan(body, 1000, 5);

        assertThat(r).isInstanceOf(NdjsonBody.Valid.class);
        var lines = ((NdjsonBody.Valid) r).lines();
        assertThat(lines).extracting(NdjsonBody.Line::number).containsExactly(1, 4);
        assertThat(lines).extracting(NdjsonBody.Line::uid).containsExactly("a", "b");
        assertThat(lines).extracting(NdjsonBody.Line::ts).containsExactly(60L, -5L);
        // the stored value is the line as sent, without its CR LF
        assertThat(new String(lines.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{\"uid\":\"a\",\"ts\":60,\"x\":{\"uid\":1}}");
    }

    @Test
    void emptyBodyIsValidWithNoLines() {
        assertThat(scan("", 10, 5)).isEqualTo(new NdjsonBody.Valid(java.util.List.of()));
        assertThat(((NdjsonBody.Valid) scan("\n \n", 10, 5)).lines()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"uid\":\"a\",\"ts\":1.5}", "{\"uid\":\"a\",\"ts\":\"123\"}", "{\"uid\":\"a\",\"ts\":true}",
            "{\"ts\":1}", "{\"uid\":\"\",\"ts\":1}", "{\"uid\":\"a\",\"ts\":1} x", "[1]", "{\"uid\":\"a\",\"ts\":1"})
    void aBadLineMakesTheBodyInvalid(String bad) {
        NdjsonBody.Result r = scan("{\"uid\":\"ok\",\"ts\":1}\n" + bad + "\n", 1000, 5);

        assertThat(r).isInstanceOf(NdjsonBody.Invalid.class);
        NdjsonBody.Invalid invalid = (NdjsonBody.Invalid) r;
        assertThat(invalid.count()).isEqualTo(1);
        assertThat(invalid.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.reason()).isNotBlank();
        });
    }

    @Test
    void errorsAreListedUpToTheCapAndAllCounted() {
        NdjsonBody.Invalid r = (NdjsonBody.Invalid) scan("x\n{\"uid\":\"a\",\"ts\":1}\ny\nz\n", 1000, 2);

        assertThat(r.count()).isEqualTo(3);
        assertThat(r.errors()).extracting(NdjsonBody.LineError::line).containsExactly(1, 3);
    }

    @Test
    void aLineOverTheLimitStopsTheScanAndIsNamed() {
        String ok = "{\"uid\":\"a\",\"ts\":1}";                  // 18 bytes
        NdjsonBody.Result r = scan("oops\n" + ok + "\r\n" + ok + "  \n" + "x".repeat(50), 19, 5);

        assertThat(r).isEqualTo(new NdjsonBody.TooLong(3, 20, 19));
        // exactly at the limit (the CR does not count) is fine
        assertThat(scan(ok + " \r\n", 19, 5)).isInstanceOf(NdjsonBody.Valid.class);
    }
}
