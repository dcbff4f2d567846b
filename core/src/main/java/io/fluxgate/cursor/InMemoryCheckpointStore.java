package io.fluxgate.cursor;

import org.jspecify.annotations.Nullable;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

/** A {@link CheckpointStore} in a variable: survives re-subscription, not a process restart. */
public final class InMemoryCheckpointStore<C> implements CheckpointStore<C> {

    private final AtomicReference<@Nullable C> cursor = new AtomicReference<>();

    @Override
    public Mono<C> load() {
        return Mono.fromSupplier(cursor::get);
    }

    @Override
    public Mono<Void> save(C c) {
        return Mono.fromRunnable(() -> cursor.set(c));
    }

    /**
     * The saved cursor, or {@code null}.
     *
     * @return the cursor last saved, or {@code null} if none was
     */
    public @Nullable C current() {
        return cursor.get();
    }
}
