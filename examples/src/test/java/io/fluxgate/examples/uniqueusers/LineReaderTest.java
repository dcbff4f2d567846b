package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(byte[] input) throws IOException {
        List<String> out = new ArrayList<>();
        try (LineReader r = new LineReader(new ByteArrayInputStream(input))) {
            for (byte[] line; (line = r.next()) != null; ) {
                out.add(new String(line, StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    @Test
    void splitsOnNewlineAndDropsCarriageReturn() throws IOException {
        assertThat(lines("a\nb\r\n\nc".getBytes(StandardCharsets.US_ASCII))).containsExactly("a", "b", "", "c");
        assertThat(lines("a\n".getBytes(StandardCharsets.US_ASCII))).containsExactly("a");
        assertThat(lines(new byte[0])).isEmpty();
        assertThat(lines("\n".getBytes(StandardCharsets.US_ASCII))).containsExactly("");
    }

    @Test
    void keepsBytesAsTheyAreAndHandlesLinesLongerThanTheBuffer() throws IOException {
        byte[] broken = {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'};
        assertThat(lines(broken)).containsExactly(new String(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'},
                StandardCharsets.ISO_8859_1));
        String longLine = "x".repeat(200_000);
        assertThat(lines((longLine + "\nshort\n").getBytes(StandardCharsets.US_ASCII))).containsExactly(longLine, "short");
    }
}
