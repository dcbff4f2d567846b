package io.fluxgate.debounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

class KeyedDebounceTest {

    record Update(String user, int version) {
    }

    private static KeyedDebounce.Builder<Update, String> byUser() {
        return KeyedDebounce.byKey(Update::user);
    }

    @Test
    void emitsLatestPerKeyAfterItsQuietPeriod() {
        TestPublisher<Update> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux()
                        .transform(byUser().quietPeriod(Duration.ofSeconds(2)).build()))
                .expectSubscription()
                .then(() -> source.next(new Update("a", 1), new Update("b", 1)))
                .thenAwait(Duration.ofSeconds(1))
                .then(() -> source.next(new Update("a", 2))) // resets a's quiet period only
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(new Update("b", 1))
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(new Update("a", 2))
                .then(() -> source.next(new Update("a", 3))) // a was forgotten: a fresh period
                .thenAwait(Duration.ofSeconds(2))
                .expectNext(new Update("a", 3))
                .then(source::complete)
                .verifyComplete();
    }

    @Test
    void busyKeyDoesNotStarveAQuietOne() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(500)).take(10)
                        .map(i -> new Update("busy", i.intValue()))
                        .mergeWith(Flux.just(new Update("quiet", 1)))
                        .transform(byUser().quietPeriod(Duration.ofSeconds(1)).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(new Update("quiet", 1))
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(new Update("busy", 9))
                .verifyComplete();
    }

    @Test
    void pendingElementsAreEmittedOnCompletion() {
        StepVerifier.withVirtualTime(() -> Flux.just(new Update("a", 1), new Update("a", 2), new Update("b", 1))
                        .transform(byUser().quietPeriod(Duration.ofHours(1)).build()))
                .expectNext(new Update("a", 2), new Update("b", 1))
                .verifyComplete();
    }

    @Test
    void demandIsRespected() {
        StepVerifier.withVirtualTime(() -> Flux.just(new Update("a", 1), new Update("b", 1), new Update("c", 1))
                        .transform(byUser().quietPeriod(Duration.ofSeconds(1)).build()), 0)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .expectNoEvent(Duration.ofSeconds(1))
                .thenRequest(1)
                .expectNextCount(1)
                .thenRequest(2)
                .expectNextCount(2)
                .verifyComplete();
    }

    @Test
    void cancelStopsTimers() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        CountingScheduler timers = new CountingScheduler(time);
        TestPublisher<Update> source = TestPublisher.create();
        List<Update> out = new CopyOnWriteArrayList<>();
        Disposable subscription = source.flux()
                .transform(byUser().quietPeriod(Duration.ofSeconds(1)).scheduler(timers).build())
                .subscribe(out::add);
        source.next(new Update("a", 1), new Update("b", 1));
        assertThat(timers.pending()).as("one quiet-period timer per active key").isEqualTo(2);

        subscription.dispose();

        assertThat(timers.pending()).as("cancel disposes every pending timer").isZero();
        source.assertCancelled();
        time.advanceTimeBy(Duration.ofHours(1));
        assertThat(out).isEmpty();
    }

    /** Counts the delayed tasks scheduled through it that have neither run nor been disposed. */
    static final class CountingScheduler implements Scheduler {
        private final Scheduler delegate;
        private final Set<Object> pending = ConcurrentHashMap.newKeySet();

        CountingScheduler(Scheduler delegate) {
            this.delegate = delegate;
        }

        int pending() {
            return pending.size();
        }

        @Override
        public Disposable schedule(Runnable task) {
            return delegate.schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            Object id = new Object();
            pending.add(id);
            Disposable d = delegate.schedule(() -> {
                pending.remove(id);
                task.run();
            }, delay, unit);
            return () -> {
                pending.remove(id);
                d.dispose();
            };
        }

        @Override
        public Worker createWorker() {
            throw new UnsupportedOperationException("the operator's timers are scheduled on the scheduler itself");
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> byUser().quietPeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> byUser().maxActiveKeys(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> byUser().build()).isInstanceOf(IllegalArgumentException.class);
    }
}
