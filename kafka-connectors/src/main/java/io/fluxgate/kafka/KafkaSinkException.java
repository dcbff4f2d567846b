package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;

/** A {@link KafkaSink} could not write an element (and its error policy did not allow going on). */
public final class KafkaSinkException extends RuntimeException {

    // not serialized: an element need not be Serializable
    private final transient @Nullable Object element;

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
     * @return the element, as given to the sink, or {@code null} in a copy of this exception that was serialized
     *     and deserialized (the element is not serialized)
     */
    public @Nullable Object element() {
        return element;
    }
}
