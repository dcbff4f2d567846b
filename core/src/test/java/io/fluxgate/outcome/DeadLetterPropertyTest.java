package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.test.subscriber.TestSubscriber;

/**
 * {@link Outcomes#deadLetter} against a reference model: random sequences of successes and failures, each
 * failure's letter stored synchronously or later (on the test's thread or another one), or refused synchronously
 * or later, under random downstream demand (bounded and unbounded requests). The stream must emit exactly the successes before the first refused letter, in order; the sink must
 * hold exactly the failures before it, in order; and whenever a store is pending, everything before its failure
 * and nothing after it has been emitted; and upstream is never asked for more than the downstream asked for plus
 * one per stored letter (under an unbounded request, batches of 256).
 */
class DeadLetterPropertyTest {

    enum Kind { SUCCESS, STORED_NOW, STORED_LATER, REFUSED_NOW, REFUSED_LATER }

    @Property(tries = 500)
    void emitsTheSuccessesInOrderAndStoresTheFailuresInOrder(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 7) Integer> kindCodes,
            @ForAll @NotEmpty @Size(max = 10) List<@IntRange(min = 0, max = 3) Integer> requestCodes,
            @ForAll boolean completeOnAnotherThread) {
        // request code 0 is an unbounded request
        List<Long> requests = requestCodes.stream().map(c -> c == 0 ? Long.MAX_VALUE : c).toList();
        // successes are as likely as all failure kinds together
        List<Kind> kinds = kindCodes.stream().map(c -> c < 4 ? Kind.SUCCESS : Kind.values()[c - 3]).toList();
        List<Outcome<Integer, Integer>> outcomes = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            outcomes.add(kinds.get(i) == Kind.SUCCESS ? Outcome.success(i, i)
                    : Outcome.failure(i, new IllegalArgumentException("bad " + i)));
        }
        ScriptedSink sink = new ScriptedSink(kinds);
        TestSubscriber<Integer> downstream = TestSubscriber.builder().initialRequest(0).build();
        AtomicLong upstreamRequested = new AtomicLong();
        Flux.fromIterable(outcomes).doOnRequest(n -> upstreamRequested.accumulateAndGet(n, Operators::addCap))
                .transform(Outcomes.deadLetter(sink, "p")).subscribe(downstream);

        int nextRequest = 0;
        long downstreamRequested = 0;
        long boundedBeforeUnbounded = 0;
        for (int steps = 0; !downstream.isTerminatedOrCancelled(); steps++) {
            assertThat(steps).as("no progress").isLessThan(10 * kinds.size() + 10);
            // upstream is asked for the downstream's demand plus one per stored letter, never more
            // (under an unbounded request: batches of at most 256 beyond what was consumed)
            long allowed = downstreamRequested == Long.MAX_VALUE
                    ? boundedBeforeUnbounded + 256 + sink.stored.size() + downstream.getReceivedOnNext().size()
                    : downstreamRequested + sink.stored.size();
            assertThat(upstreamRequested.get()).as("upstream demand").isLessThanOrEqualTo(allowed);
            if (sink.pending != null) {
                int failed = sink.pendingIndex;
                assertThat(downstream.getReceivedOnNext()).isEqualTo(successesBefore(kinds, failed));
                CompletableFuture<Void> pending = sink.pending;
                sink.pending = null;
                Runnable settle = () -> {
                    if (kinds.get(failed) == Kind.STORED_LATER) {
                        sink.stored.add(failed);
                        pending.complete(null);
                    } else {
                        pending.completeExceptionally(new DeadLetterException("refused " + failed, null));
                    }
                };
                if (completeOnAnotherThread) {
                    // the operator drains and asks upstream for more on the thread completing the stage
                    CompletableFuture.runAsync(settle, OTHER_THREAD).join();
                } else {
                    settle.run();
                }
            } else {
                long n = requests.get(nextRequest++ % requests.size());
                if (n == Long.MAX_VALUE && downstreamRequested != Long.MAX_VALUE) {
                    boundedBeforeUnbounded = downstreamRequested;
                }
                downstreamRequested = Operators.addCap(downstreamRequested, n);
                downstream.request(n);
            }
        }

        int firstRefused = firstIndexOf(kinds, Kind.REFUSED_NOW, Kind.REFUSED_LATER);
        assertThat(downstream.getReceivedOnNext()).isEqualTo(successesBefore(kinds, firstRefused));
        List<Integer> expectedStored = new ArrayList<>();
        for (int i = 0; i < firstRefused; i++) {
            if (kinds.get(i) != Kind.SUCCESS) {
                expectedStored.add(i);
            }
        }
        assertThat(sink.stored).isEqualTo(expectedStored);
        if (firstRefused < kinds.size()) {
            assertThat(downstream.expectTerminalError()).isInstanceOf(DeadLetterException.class)
                    .hasMessage("refused " + firstRefused);
        } else {
            assertThat(downstream.isTerminatedComplete()).isTrue();
        }
    }

    private static final Executor OTHER_THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-completer");
        t.setDaemon(true);
        return t;
    });

    private static List<Integer> successesBefore(List<Kind> kinds, int end) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            if (kinds.get(i) == Kind.SUCCESS) {
                values.add(i);
            }
        }
        return values;
    }

    private static int firstIndexOf(List<Kind> kinds, Kind a, Kind b) {
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == a || kinds.get(i) == b) {
                return i;
            }
        }
        return kinds.size();
    }

    /** Stores, refuses or holds each letter as its kind says; at most one store may be pending at a time. */
    private static final class ScriptedSink extends ManualDeadLetterSink<Integer> {
        private final List<Kind> kinds;
        final List<Integer> stored = new ArrayList<>();
        CompletableFuture<Void> pending;
        int pendingIndex;

        ScriptedSink(List<Kind> kinds) {
            this.kinds = kinds;
        }

        @Override
        public CompletionStage<Void> acceptAsync(DeadLetter<? extends Integer> letter) {
            assertThat(pending).as("a second store while one is pending").isNull();
            int i = letter.element();
            return switch (kinds.get(i)) {
                case STORED_NOW -> {
                    stored.add(i);
                    yield CompletableFuture.completedFuture(null);
                }
                case REFUSED_NOW -> CompletableFuture.failedFuture(new DeadLetterException("refused " + i, null));
                default -> {
                    pending = new CompletableFuture<>();
                    pendingIndex = i;
                    yield pending;
                }
            };
        }
    }
}
