package io.fluxgate.breaker;

/** What a protected stream does with an element while its breaker does not permit calls. */
public enum OpenBehavior {
    /**
     * The element is not called; it gets a {@link CallNotPermittedException}: the fallback, if one is given,
     * turns it into elements and the stream goes on, otherwise the stream ends with that error.
     */
    FAIL_FAST,
    /**
     * The element waits (nothing dropped, nothing failed) and no further upstream demand is made while it
     * waits; when the wait in OPEN is over it is offered as a half-open probe, and the stream resumes when the
     * probes close the breaker. At most {@code prefetch} already-requested elements queue meanwhile.
     */
    BACKPRESSURE
}
