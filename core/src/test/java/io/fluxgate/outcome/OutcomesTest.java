package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class OutcomesTest {

    @Test
    void tryMapTurnsExceptionsIntoFailuresCarryingTheInput() {
        StepVerifier.create(Flux.just("1", "x", "3").transform(Outcomes.tryMap(Integer::parseInt)))
                .expectNext(Outcome.success("1", 1))
                .assertNext(o -> {
                    assertThat(o.isFailure()).isTrue();
                    assertThat(o.input()).isEqualTo("x");
                    assertThat(((Outcome.Failure<String, Integer>) o).cause()).isInstanceOf(NumberFormatException.class);
                })
                .expectNext(Outcome.success("3", 3))
                .verifyComplete();
    }

    @Test
    void tryMapNullResultIsAFailure() {
        StepVerifier.create(Flux.just(1).transform(Outcomes.tryMap(i -> null)))
                .assertNext(o -> assertThat(((Outcome.Failure<Integer, Object>) o).cause())
                        .isInstanceOf(NullPointerException.class).hasMessageContaining("null for 1"))
                .verifyComplete();
    }

    @Test
    void nonRecoverableExceptionTerminatesTheStream() {
        StepVerifier.create(Flux.just(1, 2, 3).transform(Outcomes.<Integer, Integer>tryMap(i -> {
                    if (i == 2) {
                        throw new IllegalStateException("database down");
                    }
                    if (i == 1) {
                        throw new IllegalArgumentException("bad row");
                    }
                    return i;
                }, e -> e instanceof IllegalArgumentException)))
                .assertNext(o -> assertThat(o.isFailure()).isTrue())
                .verifyErrorMessage("database down");
    }

    @Test
    void jvmFatalErrorsAreNotCaptured() {
        assertThatThrownBy(() -> Flux.just(1).transform(Outcomes.tryMap(i -> {
            throw new StackOverflowError("fatal");
        })).blockLast()).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void tryMapAsyncCapturesErrorsEmptyAndThrowingMappers() {
        StepVerifier.create(Flux.just(1, 2, 3, 4).transform(Outcomes.<Integer, Integer>tryMapAsync(i -> switch (i) {
                    case 1 -> Mono.just(10);
                    case 2 -> Mono.error(new IllegalStateException("async boom"));
                    case 3 -> Mono.empty();
                    default -> throw new IllegalArgumentException("sync boom");
                })))
                .expectNext(Outcome.success(1, 10))
                .assertNext(o -> assertThat(((Outcome.Failure<Integer, Integer>) o).cause()).hasMessage("async boom"))
                .assertNext(o -> assertThat(((Outcome.Failure<Integer, Integer>) o).cause())
                        .isInstanceOf(NoSuchElementException.class))
                .assertNext(o -> assertThat(((Outcome.Failure<Integer, Integer>) o).cause()).hasMessage("sync boom"))
                .verifyComplete();
    }

    @Test
    void tryMapAsyncRunsOneCallAtATimeAndRequestsNextOnlyAfterIt() {
        TestPublisher<Integer> source = TestPublisher.create();
        PublisherProbe<Integer> call = PublisherProbe.of(Mono.never());
        StepVerifier.create(source.flux().transform(Outcomes.<Integer, Integer>tryMapAsync(i -> call.mono())))
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(1))
                .then(() -> {
                    call.assertWasSubscribed();
                    source.assertMaxRequested(1);
                })
                .thenCancel()
                .verify();
        call.assertWasCancelled();
        source.assertCancelled();
    }

    @Test
    void tryMapAsyncWithConcurrencyKeepsOrder() {
        StepVerifier.withVirtualTime(() -> Flux.just(3, 1, 2).transform(Outcomes.<Integer, Integer>tryMapAsync(
                        i -> Mono.delay(Duration.ofSeconds(i)).thenReturn(i * 10), 3)))
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(Outcome.success(3, 30), Outcome.success(1, 10), Outcome.success(2, 20))
                .verifyComplete();
    }

    @Test
    void deadLetterWritesFailuresAndEmitsValuesReplenishingDemand() {
        InMemoryDeadLetterSink<String> sink = new InMemoryDeadLetterSink<>();
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
        TestPublisher<String> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Outcomes.tryMap(Integer::parseInt))
                        .transform(Outcomes.deadLetter(sink, "parse", clock)), 1)
                .then(() -> source.next("x", "y", "7"))
                .expectNext(7)
                .then(() -> source.complete())
                .verifyComplete();
        assertThat(sink.count()).isEqualTo(2);
        assertThat(sink.letters()).allSatisfy(l -> {
            assertThat(l.stage()).isEqualTo("parse");
            assertThat(l.timestamp()).isEqualTo(clock.instant());
            assertThat(l.cause()).isInstanceOf(NumberFormatException.class);
        });
        assertThat(sink.letters()).extracting(DeadLetter::element).containsExactly("x", "y");
    }

    @Test
    void deadLetterFailsTheStreamWhenTheSinkCannotStore() {
        InMemoryDeadLetterSink<String> sink = new InMemoryDeadLetterSink<>(1);
        StepVerifier.create(Flux.just("a", "b").transform(Outcomes.tryMap(Integer::parseInt))
                        .transform(Outcomes.deadLetter(sink, "parse")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DeadLetterException.class)
                        .hasMessageContaining("full").hasMessageContaining("b"))
                .verify();
    }

    @Test
    void outcomeMapAndFold() {
        Outcome<String, Integer> ok = Outcome.success("a", 1);
        Outcome<String, Integer> bad = Outcome.failure("b", new IllegalStateException("x"));
        assertThat(ok.map(i -> i + 1)).isEqualTo(Outcome.success("a", 2));
        assertThat(ok.map(i -> {
            throw new IllegalStateException("map failed");
        }).isFailure()).isTrue();
        assertThat(bad.map(i -> i + 1)).isSameAs(bad);
        assertThat(ok.<String>fold(s -> "ok " + s.value(), f -> "bad")).isEqualTo("ok 1");
        assertThat(bad.<String>fold(s -> "ok", f -> "bad " + f.cause().getMessage())).isEqualTo("bad x");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Outcomes.tryMapAsync(i -> Mono.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> new InMemoryDeadLetterSink<>(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> Outcomes.tryMap(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Outcome.failure("x", null)).isInstanceOf(NullPointerException.class);
    }
}
