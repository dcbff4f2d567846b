package io.fluxgate.cursor;

import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

/** A {@link CheckpointStore} in a variable: survives re-subscription, not a process restart. */
public final class InMemoryCheckpointStore<C> implements CheckpointStore<C> {

    private final AtomicReference<C> cursor = new AtomicReference<>();

    @Override
    public Mono<C> load() {
        return Mono.fromSupplier(cursor::get);
    }

    @Override
    public Mono<Void> save(C c) {
        return Mono.fromRunnable(() -> cursor.set(c));
    }

    /** The saved cursor, or {@code null}. */
    public C current() {
        return cursor.get();
    }
}
