package io.fluxgate.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.retry.Retry;

/**
 * What {@link ElementRetry.Builder#jitter(double)} documents, measured side by side with Reactor's own
 * {@code Retry.backoff} (#21): the first retry only waits longer, capped retries only shorter, the ones between
 * both ways; both draw from the same bands.
 */
class RetryJitterParityTest {

    static final int ELEMENTS = 400;

    /** Per retry index, the waits observed: [retry][element]. 1 s backoff, 4 s cap, 4 retries (1, 2, 4, 4 s). */
    static List<List<Long>> waits(Function<Flux<Integer>, Flux<?>> stage, Map<Integer, List<Long>> attemptsAt,
                                  VirtualTimeScheduler vts) {
        // each element on its own, so that the first exhausted one does not cancel the others
        Flux.range(0, ELEMENTS).flatMap(i -> stage.apply(Flux.just(i)).onErrorResume(e -> Mono.empty()), ELEMENTS)
                .subscribe();
        vts.advanceTimeBy(Duration.ofMinutes(1));
        List<List<Long>> byRetry = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            List<Long> w = new ArrayList<>();
            for (List<Long> at : attemptsAt.values()) {
                w.add(at.get(r + 1) - at.get(r));
            }
            byRetry.add(w);
        }
        return byRetry;
    }

    static Function<Integer, Mono<Integer>> failing(Map<Integer, List<Long>> attemptsAt, VirtualTimeScheduler vts) {
        return i -> Mono.defer(() -> {
            attemptsAt.computeIfAbsent(i, k -> new ArrayList<>()).add(vts.now(TimeUnit.MILLISECONDS));
            return Mono.error(new IOException("down " + i));
        });
    }

    @Test
    void jitterBandsAreReactorsRetryBackoffBands() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        Map<Integer, List<Long>> ours = new ConcurrentHashMap<>();
        Map<Integer, List<Long>> reactor = new ConcurrentHashMap<>();
        List<List<Long>> ourWaits = waits(f -> f.transform(ElementRetry.builder(failing(ours, vts))
                        .maxAttempts(5).backoff(Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(4)).jitter(0.5)
                        .scheduler(vts).build()), ours, vts);
        List<List<Long>> reactorWaits = waits(f -> f.flatMap(i -> failing(reactor, vts).apply(i)
                        .retryWhen(Retry.backoff(4, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(4))
                                .jitter(0.5).scheduler(vts))), reactor, vts);
        long[][] bands = {
                {1_000, 1_500},  // first retry: only longer
                {1_000, 3_000},  // 2 s nominal: both ways
                {2_000, 4_000},  // 4 s nominal, at the cap: only shorter
                {2_000, 4_000},  // capped: only shorter
        };
        for (int r = 0; r < 4; r++) {
            long low = bands[r][0];
            long high = bands[r][1];
            for (List<List<Long>> w : List.of(ourWaits, reactorWaits)) {
                assertThat(w.get(r)).as("retry %d", r).hasSize(ELEMENTS)
                        .allSatisfy(ms -> assertThat(ms).isBetween(low, high));
            }
        }
        // the one-sidedness is real, not an artefact of the bands: with 400 draws both halves are hit
        assertThat(ourWaits.get(0)).anySatisfy(ms -> assertThat(ms).isGreaterThan(1_250))
                .allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(1_000));
        assertThat(ourWaits.get(1)).anySatisfy(ms -> assertThat(ms).isLessThan(2_000))
                .anySatisfy(ms -> assertThat(ms).isGreaterThan(2_000));
        assertThat(ourWaits.get(3)).anySatisfy(ms -> assertThat(ms).isLessThan(3_000))
                .allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(4_000));
        vts.dispose();
    }
}
