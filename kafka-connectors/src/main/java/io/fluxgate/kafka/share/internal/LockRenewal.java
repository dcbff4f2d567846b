package io.fluxgate.kafka.share.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * When a held record's acquisition lock is due for renewal: once it has been held {@code renewAfter}, the configured
 * time or, by default, half the lock duration the broker reports. Plain state of the loop thread, on the loop's
 * nanosecond clock; not thread-safe.
 */
final class LockRenewal {

    private final @Nullable Duration configured;
    /** The renewal age in nanoseconds; negative until known (the broker reports its lock duration after a poll). */
    private long renewAfterNanos = -1;

    /**
     * @param configured the configured renewal age, or null for half the broker's lock duration
     */
    LockRenewal(@Nullable Duration configured) {
        this.configured = configured;
    }

    /**
     * Whether the renewal age is known: the configured one, or half the lock duration {@code lockMs} (the
     * consumer's {@code acquisitionLockTimeoutMs()}) reports, asked until the broker has reported it; nothing is due
     * before.
     *
     * @param lockMs the broker's lock duration in milliseconds, empty while unknown
     * @return true once the age is known
     */
    boolean known(Supplier<Optional<Integer>> lockMs) {
        if (renewAfterNanos < 0) {
            if (configured != null) {
                renewAfterNanos = configured.toNanos();
            } else {
                Optional<Integer> lock = lockMs.get();
                if (lock.isEmpty()) {
                    return false;
                }
                renewAfterNanos = TimeUnit.MILLISECONDS.toNanos(lock.get()) / 2;
            }
        }
        return true;
    }

    /**
     * Whether a record held since {@code heldSince} is due for renewal at {@code now}; call after {@link #known}
     * returned true.
     *
     * @param heldSince when the record was acquired (or last handed back after a renewal), on the loop's clock
     * @param now the loop's clock now
     * @return true once it has been held the renewal age or longer
     */
    boolean due(long heldSince, long now) {
        return renewAfterNanos >= 0 && now - heldSince >= renewAfterNanos;
    }
}
