package io.fluxgate.jdbc.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** The sink's meters, or nothing when no registry was given. Rows/s is the rate of {@code fluxgate.jdbc.copy.rows}. */
public final class CopyMetrics {

    private static final CopyMetrics NONE = new CopyMetrics(null, null);

    private final Counter rows;
    private final Counter rejected;
    private final Counter retries;
    private final Counter failedBatches;
    private final DistributionSummary batchSize;
    private final Timer latency;

    private CopyMetrics(MeterRegistry registry, String table) {
        if (registry == null) {
            rows = rejected = retries = failedBatches = null;
            batchSize = null;
            latency = null;
            return;
        }
        rows = Counter.builder("fluxgate.jdbc.copy.rows").description("rows written by COPY (rate = rows/s)")
                .baseUnit("rows").tag("table", table).register(registry);
        rejected = Counter.builder("fluxgate.jdbc.copy.rows.rejected")
                .description("rows rejected before COPY and dead-lettered").tag("table", table).register(registry);
        retries = Counter.builder("fluxgate.jdbc.copy.retries").description("batch retries after transient errors")
                .tag("table", table).register(registry);
        failedBatches = Counter.builder("fluxgate.jdbc.copy.batches.failed")
                .description("batches given up on (non-transient error or retries exhausted)").tag("table", table)
                .register(registry);
        batchSize = DistributionSummary.builder("fluxgate.jdbc.copy.batch.size").description("rows per COPY")
                .baseUnit("rows").tag("table", table).register(registry);
        latency = Timer.builder("fluxgate.jdbc.copy.batch.latency")
                .description("batch arrival to commit, retries included").tag("table", table).register(registry);
    }

    public static CopyMetrics of(MeterRegistry registry, String table) {
        return registry == null ? NONE : new CopyMetrics(registry, table);
    }

    public void committed(long rowsCopied, long latencyNanos) {
        if (rows != null) {
            rows.increment(rowsCopied);
            batchSize.record(rowsCopied);
            latency.record(latencyNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void rejected(int n) {
        if (rejected != null && n > 0) {
            rejected.increment(n);
        }
    }

    public void retry() {
        if (retries != null) {
            retries.increment();
        }
    }

    public void failed() {
        if (failedBatches != null) {
            failedBatches.increment();
        }
    }
}
