package io.fluxgate.window;

import java.time.Duration;
import java.util.Objects;

/**
 * A record the operator did not count in a window of one size, handed to a {@link LatePolicy#sideOutput side output}.
 *
 * <p>A record rejected for several window sizes is handed over once per size; {@link #windowStart()} and
 * {@link #windowSize()} say which window it missed. Times are in the operator's event-time unit.
 *
 * @param value       the record as it came from upstream
 * @param eventTime   its event time
 * @param windowStart the start of the window it belongs to
 * @param windowSize  the size of that window
 * @param reason      why it was not counted
 * @param <T>         the record type
 */
public record LateRecord<T>(T value, long eventTime, long windowStart, Duration windowSize, Reason reason) {

    /** Why a record was not counted. */
    public enum Reason {
        /** Its window had already closed: {@code windowStart + size <= watermark}. */
        LATE,
        /** Its event time was more than {@code maxFutureSkew} ahead of processing time. */
        FUTURE
    }

    /**
     * Validates the record.
     *
     * @param value the record as it came from upstream
     * @param eventTime its event time, in the operator's event-time unit
     * @param windowStart the start of the window it belongs to
     * @param windowSize the size of that window
     * @param reason why it was not counted
     * @throws NullPointerException if {@code windowSize} or {@code reason} is null
     */
    public LateRecord {
        Objects.requireNonNull(windowSize, "windowSize");
        Objects.requireNonNull(reason, "reason");
    }
}
