package io.fluxgate.kafka;

import java.util.concurrent.CompletionStage;

/**
 * Where rejected records go. {@link #handle(DeadLetter)} returns when the dead letter is durably stored (or
 * immediately, for handlers that only log); the source acknowledges the rejected record's offset only after the
 * returned stage completes normally, so a dead letter that could not be stored keeps its offset uncommitted and
 * the record is read again after a restart (nothing accepted is lost). See {@link DeadLetters} for the built-in
 * handlers. Implementations must be thread-safe.
 */
public interface DeadLetterHandler extends AutoCloseable {

    /** Stores {@code deadLetter}; the stage completes when it is stored. */
    CompletionStage<Void> handle(DeadLetter deadLetter);

    /** Releases resources (producer, file). Default: nothing. */
    @Override
    default void close() {
    }
}
