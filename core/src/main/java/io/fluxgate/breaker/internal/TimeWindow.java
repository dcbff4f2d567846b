package io.fluxgate.breaker.internal;

/**
 * The outcomes of the last N seconds in one bucket per second; buckets older than N seconds are evicted
 * lazily when time advances. Guarded by its own monitor: one short critical section per call.
 */
final class TimeWindow extends Window {
    private static final long SECOND = 1_000_000_000L;
    private static final long EMPTY = Long.MIN_VALUE;

    private final long[] bucketSecond;
    private final long[] bucketCounts; // 4 counters per bucket, in long to allow far more than 65535 calls
    private final long[] sums = new long[4];
    private long currentSecond = EMPTY;

    TimeWindow(int seconds, int minimumNumberOfCalls, float failureRateThreshold, float slowCallRateThreshold) {
        super(minimumNumberOfCalls, failureRateThreshold, slowCallRateThreshold);
        this.bucketSecond = new long[seconds];
        this.bucketCounts = new long[seconds * 4];
        java.util.Arrays.fill(bucketSecond, EMPTY);
    }

    @Override
    int record(long outcome, long nowNanos) {
        long second = Math.floorDiv(nowNanos, SECOND);
        synchronized (this) {
            advance(second);
            int b = Math.floorMod(second, bucketSecond.length) * 4;
            if (bucketSecond[b / 4] != second) {
                evict(b / 4);
                bucketSecond[b / 4] = second;
            }
            for (int k = 0; k < 4; k++) {
                long d = (outcome >>> (16 * k)) & 0xFFFF;
                bucketCounts[b + k] += d;
                sums[k] += d;
            }
            return verdict(sums[0], sums[1], sums[2]);
        }
    }

    @Override
    long[] counts(long nowNanos) {
        synchronized (this) {
            advance(Math.floorDiv(nowNanos, SECOND));
            return sums.clone();
        }
    }

    private void advance(long second) {
        if (second == currentSecond) {
            return;
        }
        currentSecond = second;
        long oldestKept = second - bucketSecond.length + 1;
        for (int i = 0; i < bucketSecond.length; i++) {
            if (bucketSecond[i] != EMPTY && bucketSecond[i] < oldestKept) {
                evict(i);
            }
        }
    }

    private void evict(int bucket) {
        for (int k = 0; k < 4; k++) {
            sums[k] -= bucketCounts[bucket * 4 + k];
            bucketCounts[bucket * 4 + k] = 0;
        }
        bucketSecond[bucket] = EMPTY;
    }
}
