package io.fluxgate.jdbc;

import java.time.Duration;

/**
 * Totals of one {@link PostgresCopySink#write(org.reactivestreams.Publisher)} run.
 *
 * @param batches committed batches (including batches whose rows were all rejected)
 * @param elements elements received from upstream
 * @param rowsCopied rows sent through COPY
 * @param rowsWritten rows inserted or updated in the target
 * @param rowsRejected rows dead-lettered before a COPY
 * @param retries batch retries after transient errors
 * @param elapsed from subscription to completion
 */
public record CopySummary(long batches, long elements, long rowsCopied, long rowsWritten, long rowsRejected,
        long retries, Duration elapsed) {

    /**
     * Throughput of the run.
     *
     * @return rows copied per second of {@link #elapsed()}; 0 when no time elapsed
     */
    public double rowsPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : rowsCopied * 1e9 / nanos;
    }
}
