package io.fluxgate.timeout;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The call for one element did not produce a value in time. Extends {@link TimeoutException}, so code (and retry
 * predicates) that recognise Reactor's own {@code timeout()} errors recognise this one too.
 */
public class ElementTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final String stage;
    private final transient Object element;
    private final Duration timeout;

    public ElementTimeoutException(String stage, Object element, Duration timeout) {
        super("stage '" + stage + "' timed out after " + timeout + " on element " + element);
        this.stage = stage;
        this.element = element;
        this.timeout = timeout;
    }

    /** The stage that timed out. */
    public String stage() {
        return stage;
    }

    /** The element whose call timed out. */
    public Object element() {
        return element;
    }

    /** The configured limit. */
    public Duration timeout() {
        return timeout;
    }
}
