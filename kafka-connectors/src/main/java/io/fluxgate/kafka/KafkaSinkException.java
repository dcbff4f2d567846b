package io.fluxgate.kafka;

/** A {@link KafkaSink} could not write an element (and its error policy did not allow going on). */
public final class KafkaSinkException extends RuntimeException {

    private final transient Object element;

    public KafkaSinkException(String message, Object element, Throwable cause) {
        super(message, cause);
        this.element = element;
    }

    /** The element that could not be written. */
    public Object element() {
        return element;
    }
}
