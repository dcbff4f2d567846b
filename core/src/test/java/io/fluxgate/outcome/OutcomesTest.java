package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
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

    private static Outcome<String, Integer> ok(int value) {
        return Outcome.success(String.valueOf(value), value);
    }

    private static Outcome<String, Integer> bad(String input) {
        return Outcome.failure(input, new NumberFormatException("not a number: " + input));
    }

    @Test
    void deadLetterDoesNotBlockOnAnAsyncSinkAndHoldsBackWhatFollowsAFailureUntilItIsStored() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(ok(1), bad("x"), ok(2), bad("y"), bad("z"), ok(3))
                        .transform(Outcomes.deadLetter(sink, "parse")).doOnNext(received::add))
                .expectNext(1)
                .then(() -> {
                    assertThat(sink.requestedElements()).containsExactly("x");
                    assertThat(received).containsExactly(1);
                })
                .then(() -> sink.store(0))
                .expectNext(2)
                .then(() -> {
                    // y and z are handed over together, in order, before either is stored
                    assertThat(sink.requestedElements()).containsExactly("x", "y", "z");
                    assertThat(received).containsExactly(1, 2);
                })
                // stored out of order: 3 waits for both
                .then(() -> sink.store(2))
                .then(() -> assertThat(received).containsExactly(1, 2))
                .then(() -> sink.store(1))
                .expectNext(3)
                .verifyComplete();
        assertThat(sink.storedElements()).containsExactly("x", "z", "y");
        assertThat(sink.requested()).allSatisfy(l -> assertThat(l.stage()).isEqualTo("parse"));
    }

    @Test
    void deadLetterWithOneInFlightStoresOneLetterAtATime() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(bad("x"), bad("y"), bad("z"), ok(3))
                        .transform(Outcomes.deadLetter(sink, "parse", java.time.Clock.systemUTC(), 1))
                        .doOnNext(received::add))
                .then(() -> assertThat(sink.requestedElements()).containsExactly("x"))
                .then(() -> sink.store(0))
                .then(() -> assertThat(sink.requestedElements()).containsExactly("x", "y"))
                .then(() -> sink.store(1))
                .then(() -> assertThat(sink.requestedElements()).containsExactly("x", "y", "z"))
                .then(() -> assertThat(received).isEmpty())
                .then(() -> sink.store(2))
                .expectNext(3)
                .verifyComplete();
    }

    @Test
    void deadLetterHandsAtMostMaxInFlightLettersToTheSink() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        StepVerifier.create(Flux.range(0, 10).map(i -> bad("b" + i))
                        .transform(Outcomes.deadLetter(sink, "parse", java.time.Clock.systemUTC(), 3)), 1)
                .then(() -> assertThat(sink.requestedElements()).containsExactly("b0", "b1", "b2"))
                .then(() -> sink.store(1))
                .then(() -> assertThat(sink.requestedElements()).containsExactly("b0", "b1", "b2", "b3"))
                .then(() -> {
                    for (int i = 0; i < 10; i++) {
                        if (sink.requested().size() > i) {
                            sink.store(i);
                        }
                    }
                })
                .verifyComplete();
        assertThat(sink.storedElements()).hasSize(10);
        assertThatThrownBy(() -> Outcomes.deadLetter(sink, "parse", java.time.Clock.systemUTC(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
    }

    @Test
    void deadLetterWorksWithMinimalStagesWhoseFutureMethodsThrow() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>(true);
        List<Integer> received = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(bad("x"), ok(1), bad("y"), ok(2))
                        .transform(Outcomes.deadLetter(sink, "parse")).doOnNext(received::add))
                .then(() -> assertThat(received).isEmpty())
                .then(() -> sink.store(0))
                .expectNext(1)
                .then(() -> sink.fail(1, new DeadLetterException("broker down", null)))
                .verifyErrorMessage("broker down");
        assertThat(received).containsExactly(1);
    }

    @Test
    void deadLetterFailsTheStreamWithTheStoreErrorAndCancelsUpstream() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        DeadLetterException error = new DeadLetterException("cannot write dead letter for x", null);
        AtomicBoolean upstreamCancelled = new AtomicBoolean();
        StepVerifier.create(Flux.just(ok(1), bad("x"), ok(2)).doOnCancel(() -> upstreamCancelled.set(true))
                        .transform(Outcomes.deadLetter(sink, "parse")))
                .expectNext(1)
                .then(() -> sink.fail(0, error))
                .verifyErrorSatisfies(e -> assertThat(e).isSameAs(error));
        assertThat(upstreamCancelled).isTrue();
        assertThat(sink.storedElements()).isEmpty();
    }

    @Test
    void deadLetterFailsTheStreamWhenAcceptAsyncThrowsOrReturnsNull() {
        IllegalStateException thrown = new IllegalStateException("sink bug");
        DeadLetterSink<String> throwing = new ManualDeadLetterSink<>() {
            @Override
            public CompletionStage<Void> acceptAsync(DeadLetter<? extends String> letter) {
                throw thrown;
            }
        };
        StepVerifier.create(Flux.just(ok(1), bad("x"), ok(2)).transform(Outcomes.deadLetter(throwing, "parse")))
                .expectNext(1)
                .verifyErrorSatisfies(e -> assertThat(e).isSameAs(thrown));
        DeadLetterSink<String> returningNull = new ManualDeadLetterSink<>() {
            @Override
            public CompletionStage<Void> acceptAsync(DeadLetter<? extends String> letter) {
                return null;
            }
        };
        StepVerifier.create(Flux.just(bad("x"), ok(2)).transform(Outcomes.deadLetter(returningNull, "parse")))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("acceptAsync returned null").hasMessageContaining("x"));
    }

    @Test
    void deadLetterFailsTheStreamWithTheErrorOfAnAlreadyFailedStage() {
        DeadLetterException error = new DeadLetterException("full", null);
        DeadLetterSink<String> failed = new ManualDeadLetterSink<>() {
            @Override
            public CompletionStage<Void> acceptAsync(DeadLetter<? extends String> letter) {
                return CompletableFuture.failedFuture(error);
            }
        };
        StepVerifier.create(Flux.just(ok(1), bad("x"), ok(2)).transform(Outcomes.deadLetter(failed, "parse")))
                .expectNext(1)
                .verifyErrorSatisfies(e -> assertThat(e).isSameAs(error));
    }

    @Test
    void deadLetterRespectsDemandAndAFailureConsumesNone() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
        List<Integer> received = new CopyOnWriteArrayList<>();
        StepVerifier.create(source.flux().transform(Outcomes.deadLetter(sink, "parse")).doOnNext(received::add), 0)
                .then(source::assertWasNotRequested)
                .thenRequest(1)
                .then(() -> source.assertMinRequested(1).assertMaxRequested(1))
                .then(() -> source.next(bad("x")))
                // the failure's demand is replenished as soon as its store starts: the downstream's request of 1
                // is still open (a burst of failures keeps the sink busy under a demand of one)
                .then(() -> source.assertMinRequested(1).assertMaxRequested(1))
                .then(() -> sink.store(0))
                .then(() -> source.assertMinRequested(1).assertMaxRequested(1))
                .then(() -> source.next(ok(1)))
                .expectNext(1)
                // demand passes through: nothing more is asked of upstream until the downstream asks
                .then(() -> assertThat(received).containsExactly(1))
                .then(() -> source.assertMaxRequested(0))
                .thenRequest(1)
                .then(() -> source.assertMinRequested(1))
                .then(() -> source.next(ok(2)))
                .expectNext(2)
                .then(source::complete)
                .verifyComplete();
    }

    @Test
    void cancelWhileAStoreIsPendingDoesNotCancelTheStoreAndEmitsNothingMore() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        AtomicBoolean upstreamCancelled = new AtomicBoolean();
        StepVerifier.create(Flux.just(bad("x"), ok(1)).doOnCancel(() -> upstreamCancelled.set(true))
                        .transform(Outcomes.deadLetter(sink, "parse")).doOnNext(received::add))
                .then(() -> assertThat(sink.requestedElements()).containsExactly("x"))
                .thenCancel()
                .verify();
        assertThat(upstreamCancelled).isTrue();
        assertThat(sink.stage(0)).isNotCancelled();
        sink.store(0);
        assertThat(sink.storedElements()).containsExactly("x");
        assertThat(received).isEmpty();
    }

    @Test
    void aStoreFailingAfterCancelGoesToOnErrorDropped() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            StepVerifier.create(Flux.just(bad("x"), ok(1)).transform(Outcomes.deadLetter(sink, "parse")))
                    .then(() -> assertThat(sink.requestedElements()).containsExactly("x"))
                    .thenCancel()
                    .verify();
            DeadLetterException error = new DeadLetterException("broker down", null);
            sink.fail(0, error);
            assertThat(dropped).containsExactly(error);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    @Test
    void deadLetterWithASynchronousSinkStoresOnTheCallersThreadWithoutAHop() {
        List<Thread> storeThreads = new CopyOnWriteArrayList<>();
        List<Integer> received = new ArrayList<>();
        DeadLetterSink<String> sink = DeadLetterSink.of(letter -> storeThreads.add(Thread.currentThread()));
        // subscribe returns only after everything was emitted: no element waited for another thread
        Flux.just(ok(1), bad("x"), ok(2), bad("y"), ok(3)).transform(Outcomes.deadLetter(sink, "parse"))
                .subscribe(received::add);
        assertThat(received).containsExactly(1, 2, 3);
        assertThat(storeThreads).containsExactly(Thread.currentThread(), Thread.currentThread());
        assertThat(sink.count()).isEqualTo(2);
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
