package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Utf8Test {

    private static int check(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Utf8.firstInvalid(b, b.length);
    }

    @Test
    void validTextPasses() {
        byte[] text = "ascii é € 日本 😀".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(text, text.length)).isEqualTo(-1);
    }

    @Test
    void invalidSequencesAreFoundWhereTheyStart() {
        assertThat(check('a', 0xC3)).as("truncated").isEqualTo(1);
        assertThat(check('a', 0x80)).as("lone continuation").isEqualTo(1);
        assertThat(check(0xC0, 0xAF)).as("overlong").isZero();
        assertThat(check(0xED, 0xA0, 0x80)).as("surrogate").isZero();
        assertThat(check(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isZero();
        assertThat(check('x', 'y', 0xE2, 0x82, 'z')).as("bad continuation").isEqualTo(2);
        assertThat(check(0xFF)).isZero();
    }
}
