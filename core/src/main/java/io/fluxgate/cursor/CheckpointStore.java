package io.fluxgate.cursor;

import reactor.core.publisher.Mono;

/**
 * Where a {@link CursorSource} keeps the cursor to resume from. Implementations: {@link InMemoryCheckpointStore};
 * a file, a database row, a Kafka-compacted topic.
 *
 * @param <C> the cursor type
 */
public interface CheckpointStore<C> {

    /**
     * The saved cursor, or empty to start from the source's initial cursor.
     *
     * @return a {@code Mono} of the saved cursor, or empty
     */
    Mono<C> load();

    /**
     * Saves {@code cursor} as the resume point; the source waits for completion before fetching on.
     *
     * @param cursor the cursor after the page just emitted
     * @return a {@code Mono} that completes once the cursor is stored, or fails if it cannot be
     */
    Mono<Void> save(C cursor);
}
