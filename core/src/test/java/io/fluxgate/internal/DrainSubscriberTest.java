package io.fluxgate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.batch.internal.BatchSubscriber;
import io.fluxgate.heartbeat.internal.HeartbeatSubscriber;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.subscriber.TestSubscriber;

/** The shared plumbing's contract, and the scan answers the subclasses gave before they shared it. */
class DrainSubscriberTest {

    /** Emits buffered elements on demand; upstream demand is whatever it is told to ask for. */
    static final class Buffering extends DrainSubscriber<Integer, Integer> {
        final ArrayDeque<Integer> buffer = new ArrayDeque<>();
        final List<List<Integer>> discarded = new ArrayList<>();
        long upstreamAsk;
        int cancelHooks;

        Buffering(CoreSubscriber<? super Integer> actual) {
            super(actual, null);
        }

        @Override
        public void onNext(Integer t) {
            synchronized (this) {
                buffer.add(t);
            }
            drain();
        }

        @Override
        protected long drainPass(long r) {
            long e = 0L;
            for (;;) {
                if (discardIfCancelled()) {
                    return TERMINATED;
                }
                Throwable err = error;
                if (err != null) {
                    discardAll();
                    actual.onError(err);
                    return TERMINATED;
                }
                boolean d = done;
                Integer next = e < r ? buffer.poll() : null;
                if (next != null) {
                    actual.onNext(next);
                    e++;
                    continue;
                }
                if (d && buffer.isEmpty()) {
                    actual.onComplete();
                    return TERMINATED;
                }
                return e;
            }
        }

        @Override
        protected long upstreamRequest() {
            long n = upstreamAsk;
            upstreamAsk = 0;
            return n;
        }

        @Override
        protected void discardAll() {
            discarded.add(new ArrayList<>(buffer));
            buffer.clear();
        }

        @Override
        protected void onCancel() {
            cancelHooks++;
        }
    }

    static final class RecordingSubscription implements Subscription {
        final List<Long> requests = new ArrayList<>();
        int cancels;

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
            cancels++;
        }
    }

    @Test
    void demandIsAccountedPerPassAndOnlyWhatWasRequestedIsEmitted() {
        TestSubscriber<Integer> down = TestSubscriber.builder().initialRequest(0).build();
        Buffering sub = new Buffering(down);
        RecordingSubscription up = new RecordingSubscription();
        sub.onSubscribe(up);
        sub.onNext(1);
        sub.onNext(2);
        sub.onNext(3);
        assertThat(down.getReceivedOnNext()).isEmpty();

        down.request(2);
        assertThat(down.getReceivedOnNext()).containsExactly(1, 2);
        assertThat(sub.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(0L);

        sub.upstreamAsk = 5;
        down.request(1);
        assertThat(down.getReceivedOnNext()).containsExactly(1, 2, 3);
        assertThat(up.requests).containsExactly(5L);

        down.request(Long.MAX_VALUE);
        sub.onNext(4);
        assertThat(sub.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(Long.MAX_VALUE);
        sub.onComplete();
        assertThat(down.getReceivedOnNext()).containsExactly(1, 2, 3, 4);
        assertThat(down.isTerminatedComplete()).isTrue();
    }

    @Test
    void nonPositiveRequestIsIgnoredAndDoesNotDrain() {
        TestSubscriber<Integer> down = TestSubscriber.builder().initialRequest(0).build();
        Buffering sub = new Buffering(down);
        sub.onSubscribe(new RecordingSubscription());
        sub.onNext(1);
        sub.request(0);
        sub.request(-1);
        assertThat(down.getReceivedOnNext()).isEmpty();
        assertThat(sub.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(0L);
    }

    @Test
    void cancelIsIdempotentCancelsUpstreamOnceAndDiscardsOnce() {
        TestSubscriber<Integer> down = TestSubscriber.builder().initialRequest(0).build();
        Buffering sub = new Buffering(down);
        RecordingSubscription up = new RecordingSubscription();
        sub.onSubscribe(up);
        sub.onNext(1);
        sub.onNext(2);

        sub.cancel();
        sub.cancel();
        sub.request(10);
        sub.onComplete();

        assertThat(up.cancels).isEqualTo(1);
        assertThat(sub.cancelHooks).isEqualTo(1);
        assertThat(sub.discarded).containsExactly(List.of(1, 2));
        assertThat(down.getReceivedOnNext()).isEmpty();
        assertThat(down.isTerminated()).isFalse();
        assertThat(sub.scan(Scannable.Attr.CANCELLED)).isEqualTo(true);
    }

    @Test
    void errorDiscardsBufferAndASecondErrorGoesToTheHook() {
        List<Throwable> dropped = new ArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            TestSubscriber<Integer> down = TestSubscriber.builder().initialRequest(0).build();
            Buffering sub = new Buffering(down);
            sub.onSubscribe(new RecordingSubscription());
            sub.onNext(1);
            IllegalStateException first = new IllegalStateException("first");
            IllegalStateException second = new IllegalStateException("second");
            sub.onError(first);
            sub.onError(second);
            assertThat(down.expectTerminalError()).isSameAs(first);
            assertThat(sub.discarded).containsExactly(List.of(1));
            assertThat(dropped).containsExactly(second);
            assertThat(sub.scan(Scannable.Attr.TERMINATED)).isEqualTo(true);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    @Test
    void aSecondSubscriptionIsCancelled() {
        Buffering sub = new Buffering(TestSubscriber.create());
        RecordingSubscription first = new RecordingSubscription();
        RecordingSubscription second = new RecordingSubscription();
        AtomicInteger dropped = new AtomicInteger();
        Hooks.onErrorDropped(e -> dropped.incrementAndGet());
        try {
            sub.onSubscribe(first);
            sub.onSubscribe(second);
        } finally {
            Hooks.resetOnErrorDropped();
        }
        assertThat(second.cancels).isEqualTo(1);
        assertThat(first.cancels).isZero();
        assertThat(sub.scanUnsafe(Scannable.Attr.PARENT)).isSameAs(first);
    }

    @Test
    void scanAnswersOfTheSubclassesAreTheOnesTheyGaveBeforeSharingTheBase() {
        Scheduler scheduler = Schedulers.newSingle("drain-scan-test");
        try {
            TestSubscriber<List<Integer>> batches = TestSubscriber.builder().initialRequest(3).build();
            BatchSubscriber<Integer> batch = new BatchSubscriber<>(batches, () -> 10, Long.MAX_VALUE, null,
                    0L, scheduler);
            RecordingSubscription up = new RecordingSubscription();
            batch.onSubscribe(up);
            batch.onNext(1);
            assertThat(batch.scanUnsafe(Scannable.Attr.PARENT)).isSameAs(up);
            assertThat(batch.scanUnsafe(Scannable.Attr.ACTUAL)).isSameAs(batches);
            assertThat(batch.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(3L);
            assertThat(batch.scanUnsafe(Scannable.Attr.RUN_ON)).isSameAs(scheduler);
            assertThat(batch.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
            assertThat(batch.scan(Scannable.Attr.BUFFERED)).isEqualTo(1);
            assertThat(batch.scan(Scannable.Attr.TERMINATED)).isEqualTo(false);
            IllegalStateException boom = new IllegalStateException("boom");
            batch.onError(boom);
            assertThat(batch.scan(Scannable.Attr.ERROR)).isSameAs(boom);
            assertThat(batch.scan(Scannable.Attr.TERMINATED)).isEqualTo(true);

            TestSubscriber<Integer> beats = TestSubscriber.builder().initialRequest(0).build();
            HeartbeatSubscriber<Integer> heartbeat = new HeartbeatSubscriber<>(beats, (seq, silence) -> -1,
                    Duration.ofHours(1), scheduler);
            heartbeat.onSubscribe(new RecordingSubscription());
            assertThat(heartbeat.scanUnsafe(Scannable.Attr.RUN_ON)).isSameAs(scheduler);
            assertThat(heartbeat.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
            heartbeat.onError(new IllegalStateException("boom"));
            // the heartbeat subscriber never reported ERROR; sharing the base must not start to
            assertThat(heartbeat.scan(Scannable.Attr.ERROR)).isNull();
            assertThat(heartbeat.scan(Scannable.Attr.TERMINATED)).isEqualTo(true);
        } finally {
            scheduler.dispose();
        }
    }
}
