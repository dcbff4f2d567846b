package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class FrameGeneratorTest {

    @Test
    void sameSeedSameFrames() {
        FrameGenerator a = new FrameGenerator(7, 1000, 100);
        FrameGenerator b = new FrameGenerator(7, 1000, 100);
        for (int i = 0; i < 1000; i++) {
            assertThat(Arrays.equals(a.next(), b.next())).isTrue();
        }
    }

    @Test
    void framesAreAboutTwoKilobytesWithRootUidAndTs() {
        FrameGenerator g = new FrameGenerator(1, 100_000, 170);
        for (int i = 0; i < 2000; i++) {
            String frame = new String(g.next(), StandardCharsets.UTF_8);
            if (frame.length() < 200) {
                continue; // one of the rare malformed frames
            }
            assertThat(frame.length()).isBetween(1900, 2300);
            assertThat(frame).startsWith("{").endsWith("}").contains("\"uid\":\"", "\"ts\":", "\"session\":{\"uid\"");
        }
    }
}
