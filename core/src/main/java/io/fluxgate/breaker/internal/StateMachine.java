package io.fluxgate.breaker.internal;

import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerMetrics;
import io.fluxgate.breaker.CircuitBreakerState;
import io.fluxgate.breaker.IllegalStateTransitionException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The circuit breaker's state machine, plain Java: every method takes the current time in nanoseconds from the
 * caller, nothing here schedules anything. The current state is one immutable {@link Phase} object swapped by
 * CAS; a call remembers the phase that permitted it and its outcome goes to that phase's window, so a late
 * result from before a transition can never be mistaken for a half-open probe. Windows are lock-free
 * (count-based) or guarded per window (time-based); half-open permits are a CAS counter.
 */
public final class StateMachine {

    /** Call outcome kinds reported to the {@link Observer}. */
    public static final int SUCCESS = 0;
    public static final int ERROR = 1;
    public static final int IGNORED = 2;
    public static final int RELEASED = 3;

    /** Receives what the Reactor layer turns into events and meters. Must not throw. */
    public interface Observer {
        void onTransition(CircuitBreakerState from, CircuitBreakerState to);

        void onRateExceeded(boolean failureRate, float rate);

        /** Only called while {@link StateMachine#observeCalls(boolean)} is on. */
        void onCall(int kind, long elapsedNanos, Throwable error);

        /** Only called while {@link StateMachine#observeCalls(boolean)} is on. */
        void onNotPermitted(CircuitBreakerState state);

        /** A half-open permit came back (a cancelled or ignored probe): waiting streams may try again. */
        void onPermitReleased();
    }

    /** One state occupancy. Immutable except for the half-open permits and the one-shot exceeded flag. */
    public static final class Phase {
        private static final VarHandle PERMITS;
        private static final VarHandle REPORTED;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                PERMITS = l.findVarHandle(Phase.class, "permits", int.class);
                REPORTED = l.findVarHandle(Phase.class, "reported", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final CircuitBreakerState state;
        final Window window;
        final boolean permitsAll;
        final boolean recording;
        final long openUntil;
        final boolean hasDeadline;
        final long deadline;
        final int attempts;
        final int maxPermits;
        @SuppressWarnings("unused") private volatile int permits;
        /** The rate-exceeded kinds (Window verdict bits) already reported in METRICS_ONLY. */
        @SuppressWarnings("unused") private volatile int reported;

        Phase(CircuitBreakerState state, Window window, long openUntil, boolean hasDeadline, long deadline,
              int attempts, int permits) {
            this.state = state;
            this.window = window;
            this.permitsAll = state == CircuitBreakerState.CLOSED || state == CircuitBreakerState.DISABLED
                    || state == CircuitBreakerState.METRICS_ONLY;
            this.recording = state.recordsCalls();
            this.openUntil = openUntil;
            this.hasDeadline = hasDeadline;
            this.deadline = deadline;
            this.attempts = attempts;
            this.maxPermits = permits;
            this.permits = permits;
        }

        public CircuitBreakerState state() {
            return state;
        }

        boolean tryTakePermit() {
            for (;;) {
                int p = (int) PERMITS.getVolatile(this);
                if (p <= 0) {
                    return false;
                }
                if (PERMITS.compareAndSet(this, p, p - 1)) {
                    return true;
                }
            }
        }

        void returnPermit() {
            for (;;) {
                int p = (int) PERMITS.getVolatile(this);
                if (p >= maxPermits || PERMITS.compareAndSet(this, p, p + 1)) {
                    return;
                }
            }
        }

        int freePermits() {
            return (int) PERMITS.getVolatile(this);
        }

        /** Of the exceeded kinds in {@code verdict}, those not reported before (now marked reported). */
        int firstReports(int verdict) {
            int kinds = verdict & Window.EXCEEDED;
            for (;;) {
                int r = (int) REPORTED.getVolatile(this);
                int fresh = kinds & ~r;
                if (fresh == 0 || REPORTED.compareAndSet(this, r, r | fresh)) {
                    return fresh;
                }
            }
        }
    }

    private static final VarHandle CURRENT;
    private static final VarHandle NEXT_CHECK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(StateMachine.class, "current", Phase.class);
            NEXT_CHECK = l.findVarHandle(StateMachine.class, "nextInFlightCheck", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final CircuitBreakerConfig config;
    private final LongSupplier nanoClock;
    private final Observer observer;
    private final long slowNanos;
    private final long inFlightCheckPeriodNanos;
    private final InFlightRegistry inFlight = new InFlightRegistry();
    private final LongAdder notPermitted = new LongAdder();
    private volatile Phase current;
    private volatile boolean observeCalls;
    @SuppressWarnings("unused") private volatile long nextInFlightCheck;

    public StateMachine(CircuitBreakerConfig config, LongSupplier nanoClock, Observer observer) {
        this("state-machine", config, nanoClock, observer);
    }

    /** @param name the breaker's name, for exceptions */
    public StateMachine(String name, CircuitBreakerConfig config, LongSupplier nanoClock, Observer observer) {
        this.name = name;
        this.config = config;
        this.nanoClock = nanoClock;
        this.observer = observer;
        this.slowNanos = config.slowCallDurationThreshold().toNanos();
        this.inFlightCheckPeriodNanos = inFlightCheckPeriod(config).toNanos();
        this.current = closed();
    }

    /** How often in-flight calls are re-examined: half the slow-call threshold, between 1 ms and 1 s. */
    public static java.time.Duration inFlightCheckPeriod(CircuitBreakerConfig config) {
        long half = config.slowCallDurationThreshold().toNanos() / 2;
        return java.time.Duration.ofNanos(Math.max(1_000_000L, Math.min(half, 1_000_000_000L)));
    }

    public long now() {
        return nanoClock.getAsLong();
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    public void observeCalls(boolean on) {
        this.observeCalls = on;
    }

    /**
     * The current state; a HALF_OPEN whose {@code maxWaitDurationInHalfOpenState} is over is moved to OPEN first,
     * so the state reads OPEN from the moment of expiry (Resilience4j moves it on a timer).
     */
    public CircuitBreakerState state() {
        return phase().state;
    }

    /** The current phase, after moving an expired HALF_OPEN to OPEN. */
    public Phase phase() {
        Phase p = current;
        if (p.state == CircuitBreakerState.HALF_OPEN && p.hasDeadline) {
            expireHalfOpen(p, now());
            p = current;
        }
        return p;
    }

    /**
     * Moves {@code p}, a HALF_OPEN with a max wait, to OPEN if that wait is over at {@code now}. The wait in OPEN
     * starts at the expiry, not at the moment it is noticed, as with Resilience4j's timer.
     */
    private boolean expireHalfOpen(Phase p, long now) {
        if (now - p.deadline >= 0) {
            transition(p, open(p.deadline, p.attempts + 1, p.window));
            return true;
        }
        return false;
    }

    /** Ends an expired HALF_OPEN; for a timer set when HALF_OPEN starts. */
    public void checkHalfOpenExpiry() {
        phase();
    }

    // ---------------------------------------------------------------- calls

    /**
     * Takes a permission at {@code now}: the phase to record the outcome into, or null if not permitted. Moves
     * OPEN to HALF_OPEN when the wait is over and HALF_OPEN back to OPEN when its max wait is over.
     *
     * @param countRejection whether a refusal counts as a not-permitted call (false while a BACKPRESSURE
     *                       element merely waits)
     */
    public Phase tryAcquire(long now, boolean countRejection) {
        for (;;) {
            Phase p = current;
            if (p.permitsAll) {
                return p;
            }
            if (p.state == CircuitBreakerState.OPEN) {
                // strictly after the wait, as Resilience4j (Instant.isAfter)
                if (now - p.openUntil > 0) {
                    transition(p, halfOpen(now, p.attempts));
                    continue;
                }
            } else if (p.state == CircuitBreakerState.HALF_OPEN) {
                if (p.hasDeadline && expireHalfOpen(p, now)) {
                    continue;
                }
                if (p.tryTakePermit()) {
                    return p;
                }
            }
            if (countRejection) {
                notPermitted.increment();
                if (observeCalls) {
                    observer.onNotPermitted(p.state);
                }
            }
            return null;
        }
    }

    /** Records a finished call permitted by {@code p}: {@code error} null = success. Call exactly once. */
    public void record(Phase p, long start, long end, Throwable error) {
        if (!p.recording) {
            return;
        }
        long elapsed = end - start;
        boolean failed = false;
        if (error != null) {
            if (config.isIgnored(error)) {
                p.returnPermit();
                if (p.state == CircuitBreakerState.HALF_OPEN) {
                    observer.onPermitReleased();
                }
                if (observeCalls) {
                    observer.onCall(IGNORED, elapsed, error);
                }
                return;
            }
            failed = config.isRecorded(error);
        }
        int verdict = p.window.record(Window.encode(failed, elapsed > slowNanos), end);
        if (observeCalls) {
            observer.onCall(failed ? ERROR : SUCCESS, elapsed, failed ? error : null);
        }
        if (verdict != Window.BELOW_MINIMUM && (verdict != Window.HEALTHY || p.state == CircuitBreakerState.HALF_OPEN)) {
            decide(p, verdict, end, 0);
        }
    }

    /**
     * A call permitted by {@code p} was cancelled. If it already ran longer than the slow-call threshold it is
     * recorded as a slow call (Resilience4j would forget it, #1597); otherwise its permission is released.
     */
    public void cancel(Phase p, long start, long end) {
        if (p.recording && end - start > slowNanos) {
            record(p, start, end, null);
            return;
        }
        if (p.state == CircuitBreakerState.HALF_OPEN) {
            p.returnPermit();
            observer.onPermitReleased();
        }
        if (observeCalls && p.recording) {
            observer.onCall(RELEASED, end - start, null);
        }
    }

    private void decide(Phase p, int verdict, long now, int extraSlow) {
        boolean exceeded = (verdict & Window.EXCEEDED) != 0;
        switch (p.state) {
            case CLOSED -> {
                if (exceeded && current == p) {
                    reportExceeded(p, verdict, now, extraSlow);
                    transition(p, open(now, 1, p.window));
                }
            }
            case HALF_OPEN -> {
                if (exceeded) {
                    // no FailureRateExceeded / SlowCallRateExceeded event here: Resilience4j publishes them only
                    // when CLOSED opens
                    if (current == p) {
                        transition(p, open(now, p.attempts + 1, p.window));
                    }
                } else if (verdict == Window.HEALTHY && extraSlow == 0) {
                    transition(p, closed());
                }
            }
            case METRICS_ONLY -> {
                // as Resilience4j: each kind of rate-exceeded event once per METRICS_ONLY occupancy
                // (and only while it is current: a late outcome after leaving it publishes nothing)
                int fresh = exceeded && current == p ? p.firstReports(verdict) : 0;
                if (fresh != 0) {
                    reportExceeded(p, fresh, now, extraSlow);
                }
            }
            default -> {
            }
        }
    }

    private void reportExceeded(Phase p, int verdict, long now, int extraSlow) {
        long[] c = p.window.counts(now);
        long total = c[0] + extraSlow;
        if ((verdict & Window.FAILURE_RATE_EXCEEDED) != 0) {
            observer.onRateExceeded(true, c[1] * 100f / total);
        }
        if ((verdict & Window.SLOW_CALL_RATE_EXCEEDED) != 0) {
            observer.onRateExceeded(false, (c[2] + extraSlow) * 100f / total);
        }
    }

    // ---------------------------------------------------------------- in-flight calls

    /** Registers an asynchronous call; re-examines in-flight calls if the last look is older than the period. */
    public void enter(InFlightCall call) {
        inFlight.add(call);
        long now = call.startNanos;
        long next = nextInFlightCheck;
        if (now - next >= 0 && NEXT_CHECK.compareAndSet(this, next, now + inFlightCheckPeriodNanos)) {
            checkInFlight(now);
        }
    }

    public void exit(InFlightCall call) {
        inFlight.remove(call);
    }

    public int inFlightCalls() {
        return inFlight.size();
    }

    /**
     * Counts in-flight calls older than the slow-call threshold as slow calls (without recording them) and opens
     * the breaker if that takes a rate over its threshold; also ends an expired HALF_OPEN. For the periodic check.
     */
    public void checkInFlight(long now) {
        Phase p = current;
        if (p.state == CircuitBreakerState.HALF_OPEN && p.hasDeadline && expireHalfOpen(p, now)) {
            return;
        }
        if (!p.recording) {
            return;
        }
        int slow = inFlight.countStartedBefore(p, now - slowNanos - 1);
        if (slow == 0) {
            return;
        }
        int verdict = p.window.evaluate(now, slow);
        if ((verdict & Window.EXCEEDED) != 0) {
            decide(p, verdict, now, slow);
        }
    }

    /**
     * Nanoseconds until {@link #tryAcquire} may succeed without a transition by other calls: 0 if calls pass
     * now, the rest of the wait in OPEN, the rest of a HALF_OPEN max wait, or {@link Long#MAX_VALUE} when only
     * another call's outcome or a manual transition can help.
     */
    public long nanosUntilPermitted(long now) {
        Phase p = current;
        if (p.permitsAll) {
            return 0;
        }
        return switch (p.state) {
            case OPEN -> now - p.openUntil > 0 ? 0 : p.openUntil - now + 1;
            case HALF_OPEN -> p.freePermits() > 0 ? 0 : p.hasDeadline ? Math.max(0, p.deadline - now) : Long.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }

    // ---------------------------------------------------------------- transitions

    /**
     * Manual transition, as Resilience4j's {@code transitionTo*State()}: a transition to the current state starts
     * that state afresh without a transition event (OPEN restarts its wait, one backoff step further; HALF_OPEN
     * gets its probe permits and window back; CLOSED and METRICS_ONLY get an empty window). The backoff attempt
     * count is carried through OPEN, HALF_OPEN and FORCED_OPEN (OPEN and FORCED_OPEN each add one, exactly as
     * Resilience4j's {@code attempts}) and cleared by CLOSED, DISABLED and METRICS_ONLY.
     *
     * @return whether the state changed
     * @throws io.fluxgate.breaker.IllegalStateTransitionException for CLOSED to HALF_OPEN and METRICS_ONLY to OPEN
     *         or HALF_OPEN, which Resilience4j refuses too
     */
    public boolean transitionTo(CircuitBreakerState to) {
        long now = now();
        for (;;) {
            Phase p = phase();
            if (isIllegal(p.state, to)) {
                throw new IllegalStateTransitionException(name, p.state, to);
            }
            Phase next = switch (to) {
                case CLOSED -> closed();
                case OPEN -> open(now, p.attempts + 1, p.window);
                case HALF_OPEN -> halfOpen(now, p.attempts);
                case DISABLED -> new Phase(to, null, 0, false, 0, 0, 0);
                case FORCED_OPEN -> new Phase(to, null, 0, false, 0, p.attempts + 1, 0); // as Resilience4j
                case METRICS_ONLY -> new Phase(to, newWindow(config.minimumNumberOfCalls()), 0, false, 0, 0, 0);
            };
            if (transition(p, next)) {
                if (p.state == to) {
                    // same state afresh: BACKPRESSURE waiters re-evaluate (new probes, a new wait)
                    observer.onPermitReleased();
                }
                return p.state != to;
            }
        }
    }

    private static boolean isIllegal(CircuitBreakerState from, CircuitBreakerState to) {
        return from == CircuitBreakerState.CLOSED && to == CircuitBreakerState.HALF_OPEN
                || from == CircuitBreakerState.METRICS_ONLY
                && (to == CircuitBreakerState.OPEN || to == CircuitBreakerState.HALF_OPEN);
    }

    /** Back to CLOSED with an empty window and no backoff history. */
    public void reset() {
        for (;;) {
            Phase p = current;
            if (transition(p, closed())) {
                return;
            }
        }
    }

    private boolean transition(Phase from, Phase to) {
        if (!CURRENT.compareAndSet(this, from, to)) {
            return false;
        }
        if (from.state != to.state) {
            observer.onTransition(from.state, to.state);
        }
        return true;
    }

    private Phase closed() {
        return new Phase(CircuitBreakerState.CLOSED, newWindow(config.minimumNumberOfCalls()), 0, false, 0, 0, 0);
    }

    private Phase open(long now, int attempts, Window previous) {
        long wait = config.waitDurationInOpenState(attempts).toNanos();
        return new Phase(CircuitBreakerState.OPEN, previous, now + wait, false, 0, attempts, 0);
    }

    private Phase halfOpen(long now, int attempts) {
        int permitted = config.permittedNumberOfCallsInHalfOpenState();
        long maxWait = config.maxWaitDurationInHalfOpenState().toNanos();
        // As Resilience4j: HALF_OPEN decides after min(minimumNumberOfCalls, probes) outcomes.
        int decideAfter = Math.min(config.minimumNumberOfCalls(), permitted);
        Window w = new CountWindow(permitted, decideAfter, config.failureRateThreshold(), config.slowCallRateThreshold());
        return new Phase(CircuitBreakerState.HALF_OPEN, w, 0, maxWait > 0, now + maxWait, attempts, permitted);
    }

    private Window newWindow(int minimum) {
        return config.slidingWindowType() == CircuitBreakerConfig.SlidingWindowType.COUNT_BASED
                ? new CountWindow(config.slidingWindowSize(), Math.min(minimum, config.slidingWindowSize()),
                        config.failureRateThreshold(),
                        config.slowCallRateThreshold())
                : new TimeWindow(config.slidingWindowSize(), minimum, config.failureRateThreshold(),
                        config.slowCallRateThreshold());
    }

    // ---------------------------------------------------------------- metrics

    public long notPermittedCalls() {
        return notPermitted.sum();
    }

    public CircuitBreakerMetrics metrics() {
        Phase p = phase();
        long now = now();
        int inFlightCalls = inFlight.size();
        int slowInFlight = p.recording && inFlightCalls > 0 ? inFlight.countStartedBefore(p, now - slowNanos - 1) : 0;
        if (p.window == null) {
            return new CircuitBreakerMetrics(0, 0, 0, 0, -1f, -1f, notPermitted.sum(), inFlightCalls, slowInFlight);
        }
        long[] c = p.window.counts(now);
        int minimum = p.window.minimumNumberOfCalls;
        return new CircuitBreakerMetrics((int) c[0], (int) c[1], (int) c[2], (int) c[3],
                Window.rate(c[1], c[0], minimum), Window.rate(c[2], c[0], minimum), notPermitted.sum(),
                inFlightCalls, slowInFlight);
    }
}
