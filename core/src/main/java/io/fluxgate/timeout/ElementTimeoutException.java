package io.fluxgate.timeout;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The call for one element did not produce a value in time. Extends {@link TimeoutException}, so code (and retry
 * predicates) that recognise Reactor's own {@code timeout()} errors recognise this one too.
 */
public class ElementTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    /** The name of the stage whose call timed out. */
    private final String stage;
    // not serialized: an element need not be Serializable
    private final transient @Nullable Object element;
    /** The deadline the call missed. */
    private final Duration timeout;

    /**
     * Creates the exception for an element's call in a stage that produced no value within the timeout.
     *
     * @param stage the stage name
     * @param element the element whose call timed out
     * @param timeout the deadline that passed
     */
    public ElementTimeoutException(String stage, Object element, Duration timeout) {
        super("stage '" + stage + "' timed out after " + timeout + " on element " + element);
        this.stage = stage;
        this.element = element;
        this.timeout = timeout;
    }

    /** {@return the stage that timed out} */
    public String stage() {
        return stage;
    }

    /**
     * The element whose call timed out.
     *
     * @return the element, or {@code null} in a copy of this exception that was serialized and deserialized (the
     *     element is not serialized)
     */
    public @Nullable Object element() {
        return element;
    }

    /**
     * The configured limit.
     *
     * @return the deadline, as configured on the stage
     */
    public Duration timeout() {
        return timeout;
    }
}
