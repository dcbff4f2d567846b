package io.fluxgate.kafka;

/** A {@link KafkaSink} could not write an element (and its error policy did not allow going on). */
public final class KafkaSinkException extends RuntimeException {

    private final transient Object element;

    /**
     * Creates the exception for {@code element}.
     *
     * @param message what went wrong
     * @param element the element that could not be written
     * @param cause the producer's error
     */
    public KafkaSinkException(String message, Object element, Throwable cause) {
        super(message, cause);
        this.element = element;
    }

    /**
     * The element that could not be written.
     *
     * @return the element, as given to the sink
     */
    public Object element() {
        return element;
    }
}
