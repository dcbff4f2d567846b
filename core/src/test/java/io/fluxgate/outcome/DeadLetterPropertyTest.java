package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import reactor.core.publisher.Flux;
import reactor.test.subscriber.TestSubscriber;

/**
 * {@link Outcomes#deadLetter} against a reference model: random sequences of successes and failures, each
 * failure's letter stored synchronously or later, or refused synchronously or later, under random downstream
 * demand. The stream must emit exactly the successes before the first refused letter, in order; the sink must
 * hold exactly the failures before it, in order; and whenever a store is pending, everything before its failure
 * and nothing after it has been emitted.
 */
class DeadLetterPropertyTest {

    enum Kind { SUCCESS, STORED_NOW, STORED_LATER, REFUSED_NOW, REFUSED_LATER }

    @Property(tries = 500)
    void emitsTheSuccessesInOrderAndStoresTheFailuresInOrder(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 7) Integer> kindCodes,
            @ForAll @NotEmpty @Size(max = 10) List<@IntRange(min = 1, max = 3) Integer> requests) {
        // successes are as likely as all failure kinds together
        List<Kind> kinds = kindCodes.stream().map(c -> c < 4 ? Kind.SUCCESS : Kind.values()[c - 3]).toList();
        List<Outcome<Integer, Integer>> outcomes = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            outcomes.add(kinds.get(i) == Kind.SUCCESS ? Outcome.success(i, i)
                    : Outcome.failure(i, new IllegalArgumentException("bad " + i)));
        }
        ScriptedSink sink = new ScriptedSink(kinds);
        TestSubscriber<Integer> downstream = TestSubscriber.builder().initialRequest(0).build();
        Flux.fromIterable(outcomes).transform(Outcomes.deadLetter(sink, "p")).subscribe(downstream);

        int nextRequest = 0;
        for (int steps = 0; !downstream.isTerminatedOrCancelled(); steps++) {
            assertThat(steps).as("no progress").isLessThan(10 * kinds.size() + 10);
            if (sink.pending != null) {
                int failed = sink.pendingIndex;
                assertThat(downstream.getReceivedOnNext()).isEqualTo(successesBefore(kinds, failed));
                CompletableFuture<Void> pending = sink.pending;
                sink.pending = null;
                if (kinds.get(failed) == Kind.STORED_LATER) {
                    sink.stored.add(failed);
                    pending.complete(null);
                } else {
                    pending.completeExceptionally(new DeadLetterException("refused " + failed, null));
                }
            } else {
                downstream.request(requests.get(nextRequest++ % requests.size()));
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
