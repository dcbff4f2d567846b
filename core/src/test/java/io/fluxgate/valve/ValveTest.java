package io.fluxgate.valve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;

class ValveTest {

    @Test
    void pauseWithholdsDemandAndResumeRestoresIt() {
        Valve valve = Valve.builder().maxInFlight(4).build();
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(valve.gate()), 10)
                .then(() -> source.assertMinRequested(4).assertMaxRequested(4))
                .then(() -> source.next(1, 2))
                .expectNext(1, 2)
                .then(() -> source.assertMinRequested(4)) // replenished while open
                .then(valve::pause)
                .then(() -> source.next(3, 4, 5, 6)) // in flight before the pause: passed on, not buffered
                .expectNext(3, 4, 5, 6)
                .then(() -> source.assertMaxRequested(0))
                .then(valve::resume)
                .then(() -> source.assertMinRequested(4))
                .then(() -> source.next(7, 8, 9, 10))
                .expectNext(7, 8, 9, 10)
                .then(() -> source.assertMaxRequested(0)) // downstream asked for 10 only
                .thenCancel()
                .verify();
        source.assertCancelled();
        assertThat(valve.activeSubscriptions()).isZero();
    }

    @Test
    void startPausedRequestsNothingUntilResumed() {
        Valve valve = Valve.builder().startPaused().build();
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(valve.gate()))
                .then(() -> source.assertMaxRequested(0))
                .then(valve::resume)
                .then(() -> source.assertMinRequested(Valve.DEFAULT_MAX_IN_FLIGHT))
                .then(() -> source.emit(1))
                .expectNext(1)
                .verifyComplete();
        assertThat(valve.isPaused()).isFalse();
    }

    @Test
    void pausesAGeneratorUnderUnboundedDemandWithinMaxInFlight() {
        Valve valve = Valve.builder().maxInFlight(8).build();
        AtomicLong generated = new AtomicLong();
        TestSubscriber<Long> sub = TestSubscriber.create(); // requests Long.MAX_VALUE
        Flux.<Long>generate(sink -> {
            long n = generated.incrementAndGet();
            if (n % 20 == 0) {
                valve.pause(); // the generator runs on the caller's thread: pause it again every 20
            }
            sink.next(n);
        }).transform(valve.gate()).subscribe(sub);
        assertThat(generated.get()).isBetween(20L, 28L);
        long atPause = generated.get();
        valve.resume();
        assertThat(generated.get()).isBetween(40L, 48L);
        sub.cancel();
    }

    @Test
    void oneValveGatesSeveralStreams() {
        Valve valve = Valve.builder().maxInFlight(2).startPaused().build();
        StepVerifier.withVirtualTime(() -> Flux.merge(Flux.range(0, 3).transform(valve.gate()),
                        Flux.range(10, 3).transform(valve.gate())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1))
                .then(() -> assertThat(valve.activeSubscriptions()).isEqualTo(2))
                .then(valve::resume)
                .expectNextCount(6)
                .verifyComplete();
        assertThat(valve.activeSubscriptions()).isZero();
    }

    @Test
    void errorsPassThroughAndUnregister() {
        Valve valve = Valve.open();
        StepVerifier.create(Flux.<Integer>error(new IllegalStateException("up")).transform(valve.gate()))
                .verifyErrorMessage("up");
        assertThat(valve.activeSubscriptions()).isZero();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Valve.builder().maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }

    /** Model check: upstream demand never exceeds downstream demand, outstanding stays within maxInFlight. */
    @Property(tries = 300)
    void demandInvariants(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> ops,
                          @ForAll @Size(max = 60) List<@IntRange(min = 1, max = 5) Integer> amounts,
                          @ForAll @IntRange(min = 1, max = 6) int maxInFlight) {
        Valve valve = Valve.builder().maxInFlight(maxInFlight).build();
        TestPublisher<Integer> source = TestPublisher.create();
        TestSubscriber<Integer> sub = TestSubscriber.builder().initialRequest(0).build();
        source.flux().transform(valve.gate()).subscribe(sub);
        long downstreamRequested = 0;
        long emitted = 0;
        for (int i = 0; i < ops.size(); i++) {
            int amount = i < amounts.size() ? amounts.get(i) : 1;
            switch (ops.get(i)) {
                case 0 -> {
                    sub.request(amount);
                    downstreamRequested += amount;
                }
                case 1 -> {
                    long outstandingUp = upstreamOutstanding(source);
                    for (int k = 0; k < Math.min(amount, outstandingUp); k++) {
                        source.next((int) emitted++);
                    }
                }
                case 2 -> valve.pause();
                default -> valve.resume();
            }
            long outstanding = upstreamOutstanding(source);
            assertThat(outstanding).isLessThanOrEqualTo(maxInFlight);
            assertThat(emitted + outstanding).isLessThanOrEqualTo(downstreamRequested);
            if (valve.isPaused()) {
                continue;
            }
            // open: as much as allowed is asked for
            assertThat(outstanding).isEqualTo(Math.min(maxInFlight, downstreamRequested - emitted));
        }
        assertThat(sub.getReceivedOnNext()).hasSize((int) emitted);
        sub.cancel();
    }

    private static long upstreamOutstanding(TestPublisher<Integer> source) {
        // TestPublisher's minimum requested among subscribers is the remaining demand of our one subscriber
        try {
            source.assertMinRequested(1);
        } catch (AssertionError e) {
            return 0;
        }
        for (long n = 1; ; n++) {
            try {
                source.assertMinRequested(n + 1);
            } catch (AssertionError e) {
                return n;
            }
        }
    }
}
