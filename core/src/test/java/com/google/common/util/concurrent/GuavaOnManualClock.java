package com.google.common.util.concurrent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Test bridge: Guava's {@link RateLimiter} on a manual clock. Guava only exposes its stopwatch to its own package,
 * so this class lives there (test classpath only, never shipped).
 */
public final class GuavaOnManualClock {

    private GuavaOnManualClock() {
    }

    /**
     * Guava's SmoothBursty limiter at {@code permitsPerSecond} reading {@code nanos}; a sleep of {@code d} µs
     * advances the clock by {@code oversleep.applyAsLong(d * 1000)} ns (the sleep plus a late wake-up).
     */
    public static RateLimiter create(double permitsPerSecond, AtomicLong nanos, LongUnaryOperator oversleep) {
        return RateLimiter.create(permitsPerSecond, new RateLimiter.SleepingStopwatch() {
            @Override
            protected long readMicros() {
                return nanos.get() / 1000;
            }

            @Override
            protected void sleepMicrosUninterruptibly(long micros) {
                if (micros > 0) {
                    nanos.addAndGet(oversleep.applyAsLong(micros * 1000));
                }
            }
        });
    }
}
