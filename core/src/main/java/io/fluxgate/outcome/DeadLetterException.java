package io.fluxgate.outcome;

/** A dead letter could not be stored; carries the original failure as a suppressed exception. */
public class DeadLetterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
