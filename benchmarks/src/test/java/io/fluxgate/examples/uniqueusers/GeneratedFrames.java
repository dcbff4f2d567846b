package io.fluxgate.examples.uniqueusers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The app's own (package-private) frame generator, for the benchmarks' tests. */
public final class GeneratedFrames {

    private GeneratedFrames() {
    }

    /** {@code n} frames of the app's generator with the given seed, users and event rate, as strings. */
    public static List<String> lines(long seed, int users, double eventsPerSecond, int n) {
        FrameGenerator generator = new FrameGenerator(seed, users, eventsPerSecond);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(new String(generator.next(), StandardCharsets.UTF_8));
        }
        return lines;
    }
}
