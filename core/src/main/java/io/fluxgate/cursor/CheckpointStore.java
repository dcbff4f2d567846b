package io.fluxgate.cursor;

import reactor.core.publisher.Mono;

/**
 * Where a {@link CursorSource} keeps the cursor to resume from. Implementations: {@link InMemoryCheckpointStore};
 * a file, a database row, a Kafka-compacted topic.
 *
 * @param <C> the cursor type
 */
public interface CheckpointStore<C> {

    /** The saved cursor, or empty to start from the source's initial cursor. */
    Mono<C> load();

    /** Saves {@code cursor} as the resume point; the source waits for completion before fetching on. */
    Mono<Void> save(C cursor);
}
