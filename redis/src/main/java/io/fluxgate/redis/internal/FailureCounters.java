package io.fluxgate.redis.internal;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Counts a store's errors and fail-open passes, and mirrors them into Micrometer counters when a registry was given.
 * Public only for the API package; not part of the API. Micrometer is optional: its classes are touched only when a
 * registry was given.
 */
public final class FailureCounters {

    /** Counter of Redis errors and timeouts, tagged {@code store} (the name) and {@code kind}. */
    public static final String ERRORS = "fluxgate.store.errors";
    /** Counter of elements let through without an answer from Redis, tagged {@code store} and {@code kind}. */
    public static final String FAIL_OPEN = "fluxgate.store.fail.open";

    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong failOpen = new AtomicLong();
    private final @Nullable Meters meters;

    /**
     * Counters, recorded in {@code registry} too when it is not null.
     *
     * @param registry a Micrometer {@code MeterRegistry}, or null
     * @param name the {@code store} tag
     * @param kind the {@code kind} tag
     */
    public FailureCounters(@Nullable Object registry, String name, String kind) {
        this.meters = registry == null ? null : new Meters((MeterRegistry) registry, name, kind);
    }

    /** One more error. */
    public void error() {
        errors.incrementAndGet();
        if (meters != null) {
            meters.errors.increment();
        }
    }

    /**
     * More elements let through without an answer.
     *
     * @param n how many
     */
    public void failOpen(int n) {
        failOpen.addAndGet(n);
        if (meters != null) {
            meters.failOpen.increment(n);
        }
    }

    /** @return errors so far */
    public long errors() {
        return errors.get();
    }

    /** @return fail-open passes so far */
    public long failOpenPasses() {
        return failOpen.get();
    }

    private static final class Meters {
        final Counter errors;
        final Counter failOpen;

        Meters(MeterRegistry registry, String name, String kind) {
            errors = Counter.builder(ERRORS).description("store calls that failed or timed out")
                    .tag("store", name).tag("kind", kind).register(registry);
            failOpen = Counter.builder(FAIL_OPEN).description("elements let through without an answer (fail open)")
                    .tag("store", name).tag("kind", kind).register(registry);
        }
    }
}
