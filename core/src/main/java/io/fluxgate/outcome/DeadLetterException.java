package io.fluxgate.outcome;

/** A dead letter could not be stored; carries the original failure as a suppressed exception. */
public class DeadLetterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what could not be stored and why, naming the element
     * @param cause   the store's failure, or the element's original failure when the store gave none (a closed
     *                sink)
     */
    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
