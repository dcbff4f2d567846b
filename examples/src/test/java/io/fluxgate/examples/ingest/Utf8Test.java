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

    @Test
    void aBadByteIsFoundAtAnyOffsetOfALongAsciiRun() {
        // the ASCII run is checked eight bytes at a time: a bad byte in any lane, before or after, is still found
        for (int at = 0; at < 40; at++) {
            for (int bad : new int[] {0x80, 0xC3, 0xFF}) {
                byte[] b = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH".getBytes(StandardCharsets.US_ASCII);
                b[at] = (byte) bad;
                assertThat(Utf8.firstInvalid(b, b.length)).as("byte 0x%x at %d", bad, at).isEqualTo(at);
                assertThat(Utf8.firstInvalid(b, at)).as("before it").isEqualTo(-1);
            }
            byte[] valid = ("x".repeat(at) + "é€日本😀" + "y".repeat(at)).getBytes(StandardCharsets.UTF_8);
            assertThat(Utf8.firstInvalid(valid, valid.length)).isEqualTo(-1);
        }
    }
}
