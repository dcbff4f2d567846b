package io.fluxgate.breaker.internal;

/**
 * A call that has been permitted and has not finished; linked into an {@link InFlightRegistry} so that calls
 * which hang count as slow before they end.
 */
public abstract class InFlightCall {
    final StateMachine.Phase phase;
    /** The acquire time, moved to the first request for asynchronous calls (before it, the call has not begun). */
    long startNanos;
    InFlightCall prev;
    InFlightCall next;
    InFlightRegistry.Stripe stripe;

    protected InFlightCall(StateMachine.Phase phase, long startNanos) {
        this.phase = phase;
        this.startNanos = startNanos;
    }
}
