package io.fluxgate.outcome.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Clock;
import java.util.AbstractQueue;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import org.junit.jupiter.api.Test;
import reactor.core.Scannable;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;

/**
 * Interleavings of {@link DeadLetterSubscriber}'s drain loop with upstream signals that a race test hits too rarely
 * to be useful (the windows are a few instructions wide). The operator's queue is replaced by one whose
 * {@code poll} runs a step of the other thread at a chosen moment, on the draining thread, which is equivalent to
 * that step running between the poll and the drain loop's next instruction.
 */
class DeadLetterSubscriberInterleavingTest {

    private static Outcome<String, Integer> ok(int value) {
        return Outcome.success(String.valueOf(value), value);
    }

    private static Outcome<String, Integer> bad(String input) {
        return Outcome.failure(input, new NumberFormatException("not a number: " + input));
    }

    /** A queue that runs {@code onEmptyPoll} once, after a poll found it empty and before that poll returns. */
    private static final class SteppingQueue<E> extends AbstractQueue<E> {
        private final Queue<E> delegate = new ConcurrentLinkedQueue<>();
        volatile Runnable onEmptyPoll;

        @Override
        public E poll() {
            E e = delegate.poll();
            Runnable step = onEmptyPoll;
            if (e == null && step != null) {
                onEmptyPoll = null;
                step.run();
            }
            return e;
        }

        @Override
        public boolean offer(E e) {
            return delegate.offer(e);
        }

        @Override
        public E peek() {
            return delegate.peek();
        }

        @Override
        public Iterator<E> iterator() {
            return delegate.iterator();
        }

        @Override
        public int size() {
            return delegate.size();
        }
    }

    @Test
    void anElementQueuedBetweenTheDrainsLastPollAndItsCheckForCompletionIsEmittedBeforeTheCompletion()
            throws Exception {
        List<CompletableFuture<Void>> stores = new CopyOnWriteArrayList<>();
        DeadLetterSink<String> sink = DeadLetterSink.ofAsync(letter -> {
            CompletableFuture<Void> store = new CompletableFuture<>();
            stores.add(store);
            return store;
        });
        TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
        TestSubscriber<Integer> downstream = TestSubscriber.create();
        new DeadLetterFlux<>(source.flux(), sink, "parse", Clock.systemUTC()).subscribe(downstream);
        SteppingQueue<Outcome<String, Integer>> queue = new SteppingQueue<>();
        Field field = DeadLetterSubscriber.class.getDeclaredField("queue");
        field.setAccessible(true);
        field.set(Scannable.from(downstream).scan(Scannable.Attr.PARENT), queue);

        source.next(bad("x"));
        // the store's thread drains: finds the queue empty, and meanwhile the upstream thread queues 1 and completes
        queue.onEmptyPoll = () -> source.next(ok(1)).complete();
        stores.get(0).complete(null);

        assertThat(downstream.getReceivedOnNext()).containsExactly(1);
        assertThat(downstream.isTerminatedComplete()).isTrue();
    }
}
