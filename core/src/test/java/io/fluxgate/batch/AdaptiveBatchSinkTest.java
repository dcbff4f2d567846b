package io.fluxgate.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.batch.internal.BatchMeters;
import io.fluxgate.control.LimitController;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class AdaptiveBatchSinkTest {

    /** An endless source that emits as fast as it is asked. */
    private static Flux<Long> endless() {
        return Flux.generate(() -> 0L, (i, sink) -> {
            sink.next(i);
            return i + 1;
        });
    }

    /** Simulated sink: 5 ms per call plus 50 us per item (or 100 us after {@code slowAfter} virtual ms). */
    private static Mono<Integer> simulatedSink(List<Long> batch, VirtualTimeScheduler vts, long slowAfterMillis) {
        long perItemNanos = vts.now(TimeUnit.MILLISECONDS) >= slowAfterMillis ? 100_000 : 50_000;
        return Mono.delay(Duration.ofNanos(5_000_000 + perItemNanos * batch.size()), vts).thenReturn(batch.size());
    }

    @Test
    void tunesTheBatchSizeToTheLatencyTargetAndReconvergesAfterTheSinkSlowsDown() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        Disposable subscription = endless()
                .transform(AdaptiveBatch.<Long, Integer>into(b -> simulatedSink(b, vts, 10_000))
                        .latencyTarget(Duration.ofMillis(100)).initialSize(1).maxSize(100_000)
                        .maxWait(Duration.ofMillis(50)).scheduler(vts)
                        .nanoClock(() -> vts.now(TimeUnit.NANOSECONDS))
                        .name("orders").meterRegistry(registry)
                        .build())
                .subscribe(sizes::add);
        vts.advanceTimeBy(Duration.ofSeconds(10));
        // (100 ms - 5 ms) / 50 us = 1900
        assertThat(registry.get(BatchMeters.TARGET_SIZE).tag("name", "orders").gauge().value()).isBetween(1700.0, 1900.0);
        assertThat(sizes.get(sizes.size() - 1)).isBetween(1700, 1900);
        // per-item cost doubles at 10 s; 2 s later the size is at the new optimum, 950
        vts.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(registry.get(BatchMeters.TARGET_SIZE).gauge().value()).isBetween(850.0, 950.0);
        subscription.dispose();
        vts.dispose();
        assertThat(registry.get(BatchMeters.BATCH_SIZE).summary().count()).isGreaterThan(100);
        assertThat(registry.get(BatchMeters.BATCH_LATENCY).timer().max(TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(200.0);
        assertThat(registry.find(BatchMeters.TARGET_SIZE).gauge()).as("gauges removed with the subscription").isNull();
        assertThat(registry.find(BatchMeters.IN_FLIGHT).gauge()).isNull();
    }

    @Test
    void atLowInputRateBatchesLeaveAtMaxWaitAndLatencyStaysUnderIt() {
        List<long[]> handedOver = new CopyOnWriteArrayList<>(); // {first element's timestamp, hand-over time}
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler vts = VirtualTimeScheduler.get();
                    return Flux.interval(Duration.ofMillis(10)).take(100)
                            .map(i -> vts.now(TimeUnit.MILLISECONDS))
                            .transform(AdaptiveBatch.<Long, Integer>into(b -> {
                                        handedOver.add(new long[] {b.get(0), vts.now(TimeUnit.MILLISECONDS)});
                                        return Mono.delay(Duration.ofMillis(1), vts).thenReturn(b.size());
                                    })
                                    .initialSize(1000).maxWait(Duration.ofMillis(50))
                                    .nanoClock(() -> vts.now(TimeUnit.NANOSECONDS)).build());
                })
                .thenAwait(Duration.ofSeconds(5))
                .thenConsumeWhile(n -> n <= 6)
                .verifyComplete();
        assertThat(handedOver).hasSizeGreaterThanOrEqualTo(17).allSatisfy(t -> assertThat(t[1] - t[0]).isBetween(0L, 50L));
        // all but the last batch (flushed by completion) leave exactly at max wait
        assertThat(handedOver.subList(0, handedOver.size() - 1)).allSatisfy(t -> assertThat(t[1] - t[0]).isEqualTo(50));
    }

    @Test
    void resultsKeepBatchOrderWithSeveralBatchesInFlight() {
        StepVerifier.withVirtualTime(() -> Flux.range(0, 1000)
                        .transform(AdaptiveBatch.<Integer, Integer>into(b ->
                                        // later batches finish first
                                        Mono.delay(Duration.ofMillis(100 - b.get(0) / 10)).thenMany(Flux.fromIterable(b)))
                                .initialSize(10).maxInFlight(4).build()))
                .thenAwait(Duration.ofSeconds(60))
                .expectNextSequence(Flux.range(0, 1000).toIterable())
                .verifyComplete();
    }

    @Test
    void sinkErrorIsADroppedSampleAndFailsTheStream() {
        List<String> samples = new ArrayList<>();
        LimitController recording = new LimitController() {
            public int limit() {
                return 4;
            }

            public void onSample(long latencyNanos, int load, boolean dropped) {
                samples.add(load + ":" + dropped);
            }

            public int minLimit() {
                return 4;
            }

            public int maxLimit() {
                return 4;
            }
        };
        AtomicLong calls = new AtomicLong();
        StepVerifier.create(Flux.range(0, 10).transform(AdaptiveBatch.<Integer, Integer>into(b ->
                                calls.incrementAndGet() == 2 ? Mono.error(new IllegalStateException("sink down")) : Mono.just(b.size()))
                        .controller(() -> recording).build()))
                .expectNext(4)
                .expectErrorMessage("sink down")
                .verify();
        assertThat(samples).containsExactly("4:false", "4:true");
    }

    @Test
    void cancelDiscardsTheBatchBeingFilledAndCancelsTheSink() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        boolean[] sinkCancelled = {false};
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.range(0, 6), Flux.never())
                        .transform(AdaptiveBatch.<Integer, Integer>into(b -> Mono.<Integer>never().doOnCancel(() -> sinkCancelled[0] = true))
                                .initialSize(4).maxWait(Duration.ofSeconds(1)).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(10))
                .thenCancel()
                .verify();
        assertThat(sinkCancelled[0]).isTrue();
        assertThat(discarded).filteredOn(Integer.class::isInstance).containsExactly(4, 5);
    }

    @Test
    void demandForResultsIsHonoured() {
        StepVerifier.create(Flux.range(0, 9).transform(AdaptiveBatch.<Integer, Integer>into(b -> Flux.fromIterable(b))
                        .initialSize(3).minSize(3).maxSize(3).build()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext(0)
                .thenRequest(4)
                .expectNext(1, 2, 3, 4)
                .thenRequest(10)
                .expectNext(5, 6, 7, 8)
                .verifyComplete();
    }
}
