package io.fluxgate.retry;

/** An element's call kept failing until its attempts ran out; the cause is the last failure. */
public class RetriesExhaustedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stage;
    private final transient Object element;
    private final long attempts;

    RetriesExhaustedException(String stage, Object element, long attempts, Throwable lastFailure) {
        super("stage '" + stage + "' gave up on element " + element + " after " + attempts + " attempts: "
                + lastFailure, lastFailure);
        this.stage = stage;
        this.element = element;
        this.attempts = attempts;
    }

    /** The retry stage's name. */
    public String stage() {
        return stage;
    }

    /** The element whose call failed. */
    public Object element() {
        return element;
    }

    /** Attempts made, the first one included. */
    public long attempts() {
        return attempts;
    }
}
