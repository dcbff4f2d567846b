package io.fluxgate.breaker.internal;

import io.fluxgate.breaker.OpenBehavior;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The mapper a protected stream hands to {@code concatMap}/{@code flatMapSequential}: one permission per
 * element, one record per permission.
 *
 * <p>A call whose publisher is a {@link Callable} (e.g. {@code Mono.just}, {@code Mono.fromCallable}) has at most
 * one value that the inner subscription would compute synchronously anyway; it is evaluated here, recorded at
 * once, and handed on as a scalar so {@code concatMap} keeps its scalar fast path. Any other publisher is wrapped
 * in a {@link ProtectedFlux} that records on its first terminal signal or releases on cancel.
 */
public final class ElementCall<T, R> implements Function<T, Publisher<R>> {
    private final Gate gate;
    private final StateMachine sm;
    private final Function<? super T, ? extends Publisher<? extends R>> call;
    private final boolean failFast;
    private final BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback;

    ElementCall(Gate gate, Function<? super T, ? extends Publisher<? extends R>> call, OpenBehavior behavior,
                BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback) {
        this.gate = gate;
        this.sm = gate.sm;
        this.call = call;
        this.failFast = behavior == OpenBehavior.FAIL_FAST;
        this.fallback = fallback;
    }

    @Override
    public Publisher<R> apply(T t) {
        long now = sm.now();
        StateMachine.Phase p = sm.tryAcquire(now, failFast);
        if (p != null) {
            return invoke(t, p, now);
        }
        return failFast ? failed(t, gate.notPermitted()) : waitThenCall(t);
    }

    @SuppressWarnings("unchecked")
    private Publisher<R> invoke(T t, StateMachine.Phase p, long start) {
        Publisher<? extends R> pub;
        try {
            pub = call.apply(t);
            if (pub == null) {
                throw new NullPointerException("The protected call returned a null Publisher");
            }
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            sm.record(p, start, sm.now(), e);
            return failed(t, e);
        }
        if (pub instanceof Callable) {
            Object value;
            try {
                value = ((Callable<?>) pub).call();
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                Throwable error = Exceptions.unwrap(e);
                sm.record(p, start, sm.now(), error);
                return failed(t, error);
            }
            sm.record(p, start, sm.now(), null);
            if (pub instanceof Fuseable.ScalarCallable) {
                return (Publisher<R>) pub; // constant: concatMap reads it again for free
            }
            return value == null ? Mono.empty() : Mono.just((R) value);
        }
        Flux<R> protectedCall = new ProtectedFlux<>(pub, gate, p, start, pub instanceof Mono);
        if (fallback == null) {
            return protectedCall;
        }
        return protectedCall.onErrorResume(e -> fallbackFor(t, e));
    }

    private Publisher<R> failed(T t, Throwable error) {
        return fallback == null ? Mono.error(error) : fallbackFor(t, error);
    }

    @SuppressWarnings("unchecked")
    private Publisher<R> fallbackFor(T t, Throwable error) {
        try {
            Publisher<? extends R> p = fallback.apply(t, error);
            if (p == null) {
                throw new NullPointerException("The fallback returned a null Publisher");
            }
            return (Publisher<R>) p;
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            if (e != error) {
                e.addSuppressed(error);
            }
            return Mono.error(e);
        }
    }

    /**
     * BACKPRESSURE: the element waits until the wait in OPEN is over or something changes (a transition, a
     * released probe permit), then tries again; the inner publisher does not complete meanwhile, so the outer
     * concatMap makes no new upstream demand. The change signal is taken before the attempt so a change between
     * a failed attempt and the wait is not missed.
     */
    private Flux<R> waitThenCall(T t) {
        return waitThenCall(t, false, 0);
    }

    /**
     * @param retry       whether this is a second or later attempt
     * @param previousNow the clock at the previous attempt: if a timed wait did not move it, the clock is coarser
     *                    than the wait (a millisecond scheduler clock at the exact end of OPEN, where the permit
     *                    comes 1 ns later), so wait at least a millisecond instead of spinning on 1 ns timers
     */
    private Flux<R> waitThenCall(T t, boolean retry, long previousNow) {
        return Flux.defer(() -> {
            Mono<Void> change = gate.nextChange();
            long now = sm.now();
            StateMachine.Phase p = sm.tryAcquire(now, false);
            if (p != null) {
                return invoke(t, p, now);
            }
            long wait = sm.nanosUntilPermitted(now);
            long delay = retry && now == previousNow ? Math.max(wait, COARSE_CLOCK_RETRY_NANOS) : Math.max(wait, 1);
            Mono<Void> wake = wait == Long.MAX_VALUE ? change
                    : Mono.firstWithSignal(change, Mono.delay(Duration.ofNanos(delay), gate.scheduler()).then());
            return wake.thenMany(waitThenCall(t, true, now));
        });
    }

    private static final long COARSE_CLOCK_RETRY_NANOS = 1_000_000;
}
