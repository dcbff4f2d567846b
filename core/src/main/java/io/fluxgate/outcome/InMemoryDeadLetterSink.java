package io.fluxgate.outcome;

import java.util.ArrayList;
import java.util.List;

import io.fluxgate.internal.Checks;

/**
 * A dead-letter sink that keeps letters in memory, for tests, inspection endpoints and small jobs.
 * Holding at most {@code capacity} letters; when full, {@link #accept} throws rather than dropping one.
 *
 * @param <T> the element type
 */
public final class InMemoryDeadLetterSink<T> implements DeadLetterSink<T> {

    /** Capacity used by {@link #InMemoryDeadLetterSink()}. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final int capacity;
    private final List<DeadLetter<T>> letters = new ArrayList<>();
    private boolean closed;

    /** A sink holding up to {@link #DEFAULT_CAPACITY} letters. */
    public InMemoryDeadLetterSink() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * A sink holding up to {@code capacity} letters.
     *
     * @param capacity letters held at most, at least 1; the bound keeps a flood of failures from exhausting memory
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public InMemoryDeadLetterSink(int capacity) {
        this.capacity = Checks.atLeast("capacity", capacity, 1);
    }

    @Override
    public synchronized void accept(DeadLetter<? extends T> letter) {
        if (closed) {
            throw new DeadLetterException("dead-letter sink is closed; cannot store letter for " + letter.element(),
                    letter.cause());
        }
        if (letters.size() >= capacity) {
            throw new DeadLetterException("in-memory dead-letter sink is full (" + capacity
                    + " letters); cannot store letter for " + letter.element(), letter.cause());
        }
        // a record is read-only, so a DeadLetter of a subtype can be viewed as a DeadLetter<T>
        @SuppressWarnings("unchecked")
        DeadLetter<T> stored = (DeadLetter<T>) letter;
        letters.add(stored);
    }

    /**
     * The letters stored so far, in arrival order.
     *
     * @return an immutable copy, unaffected by later letters
     */
    public synchronized List<DeadLetter<T>> letters() {
        return List.copyOf(letters);
    }

    @Override
    public synchronized long count() {
        return letters.size();
    }

    @Override
    public void flush() {
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
