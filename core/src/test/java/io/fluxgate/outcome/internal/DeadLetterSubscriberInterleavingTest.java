package io.fluxgate.outcome.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
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
 * that step running right before or after the poll; a drain call that lost the WIP race and arrives late is made
 * by calling {@code drain} itself.
 */
class DeadLetterSubscriberInterleavingTest {

    private static Outcome<String, Integer> ok(int value) {
        return Outcome.success(String.valueOf(value), value);
    }

    private static Outcome<String, Integer> bad(String input) {
        return Outcome.failure(input, new NumberFormatException("not a number: " + input));
    }

    /**
     * A queue that runs {@code beforePoll} once at the next read of its head ({@code peek}, which the drain loop
     * calls before it takes an element), and {@code onEmptyPoll} once after such a read found it empty and before
     * that read returns.
     */
    private static final class SteppingQueue<E> extends AbstractQueue<E> {
        private final Queue<E> delegate = new ConcurrentLinkedQueue<>();
        volatile Runnable beforePoll;
        volatile Runnable onEmptyPoll;

        @Override
        public E poll() {
            return delegate.poll();
        }

        @Override
        public boolean offer(E e) {
            return delegate.offer(e);
        }

        @Override
        public E peek() {
            Runnable before = beforePoll;
            if (before != null) {
                beforePoll = null;
                before.run();
            }
            E e = delegate.peek();
            Runnable step = onEmptyPoll;
            if (e == null && step != null) {
                onEmptyPoll = null;
                step.run();
            }
            return e;
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

    private final List<CompletableFuture<Void>> stores = new CopyOnWriteArrayList<>();
    private final TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
    private final SteppingQueue<Outcome<String, Integer>> queue = new SteppingQueue<>();
    private DeadLetterSubscriber<String, Integer> operator;

    /** An unbounded subscriber behind the operator, with a sink whose stores the test completes. */
    @SuppressWarnings("unchecked")
    private TestSubscriber<Integer> subscribe() throws ReflectiveOperationException {
        TestSubscriber<Integer> downstream = TestSubscriber.create();
        DeadLetterSink<String> sink = DeadLetterSink.ofAsync(letter -> {
            CompletableFuture<Void> store = new CompletableFuture<>();
            stores.add(store);
            return store;
        });
        new DeadLetterFlux<>(source.flux(), sink, "parse", Clock.systemUTC(), 1).subscribe(downstream);
        operator = (DeadLetterSubscriber<String, Integer>) Scannable.from(downstream).scan(Scannable.Attr.PARENT);
        Field field = DeadLetterSubscriber.class.getDeclaredField("queue");
        field.setAccessible(true);
        field.set(operator, queue);
        return downstream;
    }

    @Test
    void anElementQueuedBetweenTheDrainsLastPollAndItsCheckForCompletionIsEmittedBeforeTheCompletion()
            throws ReflectiveOperationException {
        TestSubscriber<Integer> downstream = subscribe();

        source.next(bad("x"));
        // the store's thread drains: finds the queue empty, and meanwhile the upstream thread queues 1 and completes
        queue.onEmptyPoll = () -> source.next(ok(1)).complete();
        stores.get(0).complete(null);

        assertThat(downstream.getReceivedOnNext()).containsExactly(1);
        assertThat(downstream.isTerminatedComplete()).isTrue();
    }

    @Test
    void aDrainArrivingAfterTheSwitchBackToPassThroughEmitsNothingQueuedBehindANewPendingStore()
            throws ReflectiveOperationException {
        TestSubscriber<Integer> downstream = subscribe();
        source.next(bad("x"));
        stores.get(0).complete(null);
        // queued mode until the upstream thread's own drain switches back to pass-through
        source.next(ok(1));
        assertThat(downstream.getReceivedOnNext()).containsExactly(1);

        // a request or store completion whose drain lost the WIP race to that switch drains late; meanwhile the
        // upstream thread starts y's store and queues 2 behind it
        Runnable upstreamStep = () -> source.next(bad("y"), ok(2));
        queue.beforePoll = upstreamStep;
        Method drain = DeadLetterSubscriber.class.getDeclaredMethod("drain", boolean.class);
        drain.setAccessible(true);
        drain.invoke(operator, false);
        if (queue.beforePoll != null) {
            // the late drain did not poll: the upstream step happens after it all the same
            queue.beforePoll = null;
            upstreamStep.run();
        }

        assertThat(downstream.getReceivedOnNext()).as("nothing after y before y's letter is stored")
                .containsExactly(1);
        stores.get(1).complete(null);
        assertThat(downstream.getReceivedOnNext()).containsExactly(1, 2);
    }
}
