package io.fluxgate.retry;

import org.jspecify.annotations.Nullable;

/**
 * An element's call kept failing until its attempts ran out; {@link #getCause()} is the last failure. Thrown into
 * the stream by {@link ElementRetry.Builder#build()} (failing it) or carried in an
 * {@link io.fluxgate.outcome.Outcome.Failure} by {@link ElementRetry.Builder#buildOutcomes()}.
 *
 * <p>Serializable for logging and remote error reports, but the element is not part of the serial form (it need not
 * be serializable): after deserialization {@link #element()} is null; the message still names it.
 */
public class RetriesExhaustedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The retry stage's name, as in {@link #stage()}. */
    private final String stage;
    private final transient @Nullable Object element;
    /** Attempts made, as in {@link #attempts()}. */
    private final long attempts;

    RetriesExhaustedException(String stage, @Nullable Object element, long attempts, Throwable lastFailure) {
        super("stage '" + stage + "' gave up on element " + element + " after " + attempts + " attempts: "
                + lastFailure, lastFailure);
        this.stage = stage;
        this.element = element;
        this.attempts = attempts;
    }

    /**
     * The name of the stage that gave up ({@link ElementRetry.Builder#name(String)}), to tell several retry stages
     * of one pipeline apart.
     *
     * @return the stage name, never blank
     */
    public String stage() {
        return stage;
    }

    /**
     * The element whose call failed, so a handler can re-queue it or send it to a dead-letter sink.
     *
     * @return the element; null after this exception was deserialized (the field is transient), or when the retry
     *     spec was built by {@link ElementRetry.Builder#retrySpec(Object)} with a null element
     */
    public @Nullable Object element() {
        return element;
    }

    /**
     * How many times the call was made for this element.
     *
     * @return attempts made, the first one included: {@code maxAttempts} when the retries ran out, at least 1
     */
    public long attempts() {
        return attempts;
    }
}
