package io.fluxgate.kafka.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The window state stored with a partition's committed offset, as Kafka offset-commit metadata:
 * {@code fg1;<maxEventTimeBefore>;<size>=<emittedUpTo>,...}, e.g. {@code fg1;1700000123;PT1M=1700000100}. An empty
 * max means none ({@link Long#MIN_VALUE}). Well under the broker's default 4096-byte metadata limit for any
 * realistic number of window sizes.
 */
public final class CheckpointCodec {

    private static final String VERSION = "fg1";

    private CheckpointCodec() {
    }

    /** Decoded metadata of one partition. */
    public record State(long maxEventTimeBefore, Map<Duration, Long> emittedUpTo) {
    }

    public static String encode(long maxEventTimeBefore, Map<Duration, Long> emittedUpTo) {
        StringBuilder sb = new StringBuilder(32).append(VERSION).append(';');
        if (maxEventTimeBefore != Long.MIN_VALUE) {
            sb.append(maxEventTimeBefore);
        }
        sb.append(';');
        boolean first = true;
        for (Map.Entry<Duration, Long> e : emittedUpTo.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /**
     * Decodes metadata written by {@link #encode}; null for absent or foreign metadata (another tool committed
     * this group), so the caller starts that partition without window state.
     */
    public static State decode(String metadata) {
        if (metadata == null || !metadata.startsWith(VERSION + ";")) {
            return null;
        }
        String[] parts = metadata.split(";", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            long max = parts[1].isEmpty() ? Long.MIN_VALUE : Long.parseLong(parts[1]);
            Map<Duration, Long> upTo = new LinkedHashMap<>();
            if (!parts[2].isEmpty()) {
                for (String entry : parts[2].split(",")) {
                    int eq = entry.indexOf('=');
                    if (eq <= 0) {
                        return null;
                    }
                    upTo.put(Duration.parse(entry.substring(0, eq)), Long.parseLong(entry.substring(eq + 1)));
                }
            }
            return new State(max, upTo);
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }
}
