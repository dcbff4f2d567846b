package io.fluxgate.breaker.internal;

import io.fluxgate.breaker.CallNotPermittedException;
import io.fluxgate.breaker.OpenBehavior;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The Reactor side of one breaker: makes per-element calls ({@link ElementCall}), tracks in-flight calls and
 * runs the light periodic in-flight check while any exist, and wakes BACKPRESSURE waiters on every change that
 * may let them through.
 */
public final class Gate {
    private static final VarHandle CHANGE;
    private static final VarHandle CHECKER;
    private static final Disposable STARTING = () -> { };

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CHANGE = l.findVarHandle(Gate.class, "change", Sinks.Empty.class);
            CHECKER = l.findVarHandle(Gate.class, "checker", Disposable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final StateMachine sm;
    /** The configured scheduler, or null: then {@code Schedulers.parallel()} at each use (virtual time works). */
    private final @org.jspecify.annotations.Nullable Scheduler configuredScheduler;
    private final long checkPeriodNanos;
    private final boolean writableStackTrace;
    @SuppressWarnings("unused") private volatile Sinks.Empty<Void> change = Sinks.empty();
    @SuppressWarnings("unused") private volatile Disposable checker;

    public Gate(String name, StateMachine sm, @org.jspecify.annotations.Nullable Scheduler scheduler) {
        this.name = name;
        this.sm = sm;
        this.configuredScheduler = scheduler;
        this.checkPeriodNanos = StateMachine.inFlightCheckPeriod(sm.config()).toNanos();
        this.writableStackTrace = sm.config().writableStackTraceEnabled();
    }

    public <T, R> ElementCall<T, R> elementCall(Function<? super T, ? extends Publisher<? extends R>> call,
                                                OpenBehavior behavior,
                                                BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback) {
        return new ElementCall<>(this, call, behavior, fallback);
    }

    /** @return the configured scheduler, or {@code Schedulers.parallel()} looked up now */
    Scheduler scheduler() {
        return io.fluxgate.internal.Time.schedulerOr(configuredScheduler);
    }

    CallNotPermittedException notPermitted() {
        return new CallNotPermittedException(name, sm.state(), writableStackTrace);
    }

    /** Completes at the next transition or released half-open permit after this call. */
    Mono<Void> nextChange() {
        @SuppressWarnings("unchecked")
        Sinks.Empty<Void> c = (Sinks.Empty<Void>) CHANGE.getVolatile(this);
        return c.asMono();
    }

    /** Wakes every BACKPRESSURE waiter so it tries again. */
    public void signalChange() {
        @SuppressWarnings("unchecked")
        Sinks.Empty<Void> old = (Sinks.Empty<Void>) CHANGE.getAndSet(this, Sinks.empty());
        old.tryEmitEmpty();
    }

    void enter(InFlightCall call) {
        sm.enter(call);
        if (checker == null) {
            startChecker();
        }
    }

    void exit(InFlightCall call) {
        sm.exit(call);
    }

    private void startChecker() {
        if (CHECKER.compareAndSet(this, null, STARTING)) {
            Disposable d = scheduler().schedulePeriodically(this::periodicCheck, checkPeriodNanos, checkPeriodNanos,
                    TimeUnit.NANOSECONDS);
            if (!CHECKER.compareAndSet(this, STARTING, d)) {
                d.dispose();
            }
        }
    }

    /** Runs while calls are in flight; stops itself when none are, and restarts if one slipped in meanwhile. */
    private void periodicCheck() {
        sm.checkInFlight(sm.now());
        if (sm.inFlightCalls() == 0) {
            Disposable d = checker;
            if (d != STARTING && d != null && CHECKER.compareAndSet(this, d, null)) {
                d.dispose();
                if (sm.inFlightCalls() > 0) {
                    startChecker();
                }
            }
        }
    }

    /**
     * With a {@code maxWaitDurationInHalfOpenState}, looks again when it is over, so that an idle breaker goes
     * back to OPEN (and publishes the transition) on time; state reads check the expiry themselves.
     */
    public void scheduleHalfOpenExpiry() {
        long maxWait = sm.config().maxWaitDurationInHalfOpenState().toNanos();
        if (maxWait > 0) {
            try {
                scheduler().schedule(sm::checkHalfOpenExpiry, maxWait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // scheduler shut down: the next state read or call still ends the expired HALF_OPEN
            }
        }
    }

    /** Stops the periodic check (tests and shutdown). */
    public void dispose() {
        Disposable d = (Disposable) CHECKER.getAndSet(this, null);
        if (d != null) {
            d.dispose();
        }
    }
}
