package io.fluxgate.outcome;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** {@link DeadLetterSink#of(Consumer)}. */
final class ConsumerDeadLetterSink<T> implements DeadLetterSink<T> {

    private final Consumer<? super DeadLetter<? extends T>> consumer;
    private final LongAdder count = new LongAdder();
    private volatile boolean closed;

    ConsumerDeadLetterSink(Consumer<? super DeadLetter<? extends T>> consumer) {
        this.consumer = consumer;
    }

    @Override
    public void accept(DeadLetter<? extends T> letter) {
        if (closed) {
            throw new DeadLetterException("dead-letter sink is closed; cannot store letter for " + letter.element(),
                    letter.cause());
        }
        consumer.accept(letter);
        count.increment();
    }

    @Override
    public long count() {
        return count.sum();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        closed = true;
    }
}
