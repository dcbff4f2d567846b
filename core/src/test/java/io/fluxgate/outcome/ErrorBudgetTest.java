package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ErrorBudgetTest {

    private static Outcome<Integer, Integer> ok(int i) {
        return Outcome.success(i, i);
    }

    private static Outcome<Integer, Integer> bad(int i) {
        return Outcome.failure(i, new IllegalStateException("fail " + i));
    }

    @Test
    void failsAfterMoreThanNConsecutiveFailuresEmittingTheTrippingOutcomeFirst() {
        StepVerifier.create(Flux.just(ok(1), bad(2), bad(3), ok(4), bad(5), bad(6), bad(7), ok(8))
                        .transform(ErrorBudget.builder().name("load").maxConsecutiveFailures(2).build()))
                .expectNextCount(7)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ErrorBudgetExceededException.class)
                            .hasMessageContaining("'load'")
                            .hasMessageContaining("3 failures in a row (limit 2)")
                            .hasMessageContaining("fail 7")
                            .hasCauseInstanceOf(IllegalStateException.class);
                    ErrorBudgetExceededException x = (ErrorBudgetExceededException) e;
                    assertThat(x.stage()).isEqualTo("load");
                    assertThat(x.lastFailedInput()).isEqualTo(7);
                    assertThat(x.consecutiveFailures()).isEqualTo(3);
                })
                .verify();
    }

    @Test
    void trippingFailureReachesTheDeadLetterSink() {
        InMemoryDeadLetterSink<Integer> sink = new InMemoryDeadLetterSink<>();
        StepVerifier.create(Flux.just(bad(1), bad(2))
                        .transform(ErrorBudget.consecutive(1))
                        .transform(Outcomes.deadLetter(sink, "s")))
                .verifyError(ErrorBudgetExceededException.class);
        assertThat(sink.letters()).extracting(DeadLetter::element).containsExactly(1, 2);
    }

    @Test
    void failsWhenRateOverWindowExceeded() {
        // 1 in 4 = 25% tolerated, 2 in 4 = 50% not; 3 has left the window when 7 fails
        StepVerifier.create(Flux.just(ok(1), ok(2), bad(3), ok(4), ok(5), ok(6), bad(7), ok(8), bad(9), ok(10))
                        .transform(ErrorBudget.builder().maxFailureRate(0.3).window(4).build()))
                .expectNextCount(9)
                .expectErrorSatisfies(e -> assertThat(e)
                        .hasMessageContaining("2 of the last 4 outcomes failed (50.0%, limit 30.0%)"))
                .verify();
    }

    @Test
    void rateIsNotJudgedBeforeMinimumOutcomes() {
        StepVerifier.create(Flux.just(bad(1), ok(2), ok(3), ok(4))
                        .transform(ErrorBudget.builder().maxFailureRate(0.5).window(10).minimumOutcomes(4).build()))
                .expectNextCount(4)
                .verifyComplete();
    }

    @Test
    void demandAndCancelPassThrough() {
        StepVerifier.create(Flux.just(ok(1), ok(2), ok(3)).transform(ErrorBudget.consecutive(0)), 0)
                .thenRequest(1)
                .expectNextCount(1)
                .thenCancel()
                .verify();
    }

    /** Reference model: recompute everything from the full history. */
    @Property(tries = 300)
    void matchesModel(@ForAll @Size(max = 60) List<Boolean> failures,
                      @ForAll @IntRange(min = 0, max = 5) int maxConsecutive,
                      @ForAll @IntRange(min = 0, max = 90) int ratePercent,
                      @ForAll @IntRange(min = 1, max = 10) int minimumOutcomes,
                      @ForAll @IntRange(min = 0, max = 9) int windowBeyondMinimum) {
        // minimumOutcomes and window vary independently (the builder only requires minimumOutcomes <= window)
        int window = minimumOutcomes + windowBeyondMinimum;
        ErrorBudgetTracker tracker = new ErrorBudgetTracker(maxConsecutive, ratePercent, window, minimumOutcomes);
        ArrayDeque<Boolean> recent = new ArrayDeque<>();
        int run = 0;
        for (boolean failed : failures) {
            recent.addLast(failed);
            if (recent.size() > window) {
                recent.removeFirst();
            }
            run = failed ? run + 1 : 0;
            long inWindow = recent.stream().filter(b -> b).count();
            boolean expectTrip = failed && (run > maxConsecutive
                    || (recent.size() >= minimumOutcomes && inWindow * 100.0 / recent.size() > ratePercent));
            String violation = tracker.record(failed);
            assertThat(violation != null).as("trip after %s", recent).isEqualTo(expectTrip);
            if (expectTrip) {
                return;
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> ErrorBudget.builder().maxConsecutiveFailures(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 1.0");
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(-0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.5");
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> ErrorBudget.builder().window(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> ErrorBudget.builder().minimumOutcomes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> ErrorBudget.builder().name(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("''");
        assertThatThrownBy(() -> ErrorBudget.builder().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(0.05).window(5).minimumOutcomes(6).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6");
    }
}
