package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * or later, with a random bound of letters in flight, pending stores settled in a random order, under random
 * downstream demand (bounded and unbounded requests). At every step: at most {@code maxInFlight} letters are in
 * the sink and not settled; letters reach the sink in upstream order; no success has been emitted before every
 * failure before it was stored; a letter is handed over as soon as a slot is free, with every element before it
 * emitted or handed over (a burst of failures fills the window even under a demand of one); the downstream never
 * gets more than it asked for; upstream is never asked for more than the downstream asked for plus one per letter
 * handed to the sink (under an unbounded request, batches of 256). At the end: without a refusal, every success
 * emitted in order and every letter stored; with one, the stream fails with the refusal that came first, having
 * emitted exactly the successes before that letter and handed nothing more to the sink after it.
 */
class DeadLetterPropertyTest {

    enum Kind { SUCCESS, STORED_NOW, STORED_LATER, REFUSED_NOW, REFUSED_LATER }

    @Property(tries = 1000)
    void emitsTheSuccessesInOrderAndStoresTheFailuresConcurrentlyUpToTheBound(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 7) Integer> kindCodes,
            @ForAll @NotEmpty @Size(max = 10) List<@IntRange(min = 0, max = 3) Integer> requestCodes,
            @ForAll @NotEmpty @Size(max = 20) List<@IntRange(min = 0, max = 9) Integer> stepCodes,
            @ForAll @IntRange(min = 1, max = 4) int maxInFlight,
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
                .transform(Outcomes.deadLetter(sink, "p", Clock.systemUTC(), maxInFlight)).subscribe(downstream);

        int nextRequest = 0;
        long downstreamRequested = 0;
        long boundedBeforeUnbounded = 0;
        for (int steps = 0; !downstream.isTerminatedOrCancelled(); steps++) {
            assertThat(steps).as("no progress").isLessThan(20 * kinds.size() + 20);
            List<Integer> received = downstream.getReceivedOnNext();
            assertThat(sink.pending.size()).as("letters in flight").isLessThanOrEqualTo(maxInFlight);
            assertThat((long) received.size()).as("downstream demand").isLessThanOrEqualTo(downstreamRequested);
            for (int success : received) {
                for (int i = 0; i < success; i++) {
                    if (kinds.get(i) != Kind.SUCCESS) {
                        assertThat(sink.stored).as("letter %d stored before success %d", i, success).contains(i);
                    }
                }
            }
            if (sink.firstRefused < 0) {
                // liveness: the first element neither emitted nor handed over, if a failure the upstream has
                // delivered, is handed over as soon as the window has room (it is at the head of the queue)
                int next = 0;
                while (next < kinds.size() && (received.contains(next) || sink.handed.contains(next))) {
                    next++;
                }
                if (next < kinds.size() && kinds.get(next) != Kind.SUCCESS && next < upstreamRequested.get()) {
                    assertThat(sink.pending.size()).as("letter %d delivered, not handed over", next)
                            .isEqualTo(maxInFlight);
                }
            }
            long handedOver = sink.handed.size();
            long allowed = downstreamRequested == Long.MAX_VALUE
                    ? boundedBeforeUnbounded + 256 + handedOver + received.size()
                    : downstreamRequested + handedOver;
            assertThat(upstreamRequested.get()).as("upstream demand").isLessThanOrEqualTo(allowed);

            int code = stepCodes.get(steps % stepCodes.size());
            // codes 7-9 request more while stores are pending (every other step at most, so stores do settle)
            if (!sink.pending.isEmpty() && (code < 7 || steps % 2 == 1 || downstreamRequested == Long.MAX_VALUE)) {
                int which = sink.pending.get(code % sink.pending.size());
                CompletableFuture<Void> stage = sink.stages.get(which);
                sink.pending.remove(Integer.valueOf(which));
                Runnable settle = () -> {
                    if (kinds.get(which) == Kind.STORED_LATER) {
                        sink.stored.add(which);
                        stage.complete(null);
                    } else {
                        if (sink.firstRefused < 0) {
                            sink.firstRefused = which;
                        }
                        stage.completeExceptionally(new DeadLetterException("refused " + which, null));
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

        assertThat(sink.handed).as("handed over in upstream order").isSorted();
        if (sink.firstRefused >= 0) {
            int refused = sink.firstRefused;
            assertThat(downstream.getReceivedOnNext()).isEqualTo(successesBefore(kinds, refused));
            assertThat(sink.handed).as("nothing handed over after the refusal")
                    .allSatisfy(i -> assertThat(sink.handedBeforeRefusal).contains(i));
            assertThat(downstream.expectTerminalError()).isInstanceOf(DeadLetterException.class)
                    .hasMessage("refused " + refused);
        } else {
            assertThat(downstream.getReceivedOnNext()).isEqualTo(successesBefore(kinds, kinds.size()));
            List<Integer> failures = new ArrayList<>();
            for (int i = 0; i < kinds.size(); i++) {
                if (kinds.get(i) != Kind.SUCCESS) {
                    failures.add(i);
                }
            }
            assertThat(sink.handed).isEqualTo(failures);
            assertThat(sink.stored).containsExactlyInAnyOrderElementsOf(failures);
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

    /** Stores, refuses or holds each letter as its kind says; the test settles the held ones. */
    private static final class ScriptedSink extends ManualDeadLetterSink<Integer> {
        private final List<Kind> kinds;
        final List<Integer> handed = new ArrayList<>();
        final List<Integer> handedBeforeRefusal = new ArrayList<>();
        final List<Integer> stored = new ArrayList<>();
        final List<Integer> pending = new ArrayList<>();
        final Map<Integer, CompletableFuture<Void>> stages = new HashMap<>();
        /** The letter whose refusal came first, -1 while none was refused. */
        volatile int firstRefused = -1;

        ScriptedSink(List<Kind> kinds) {
            this.kinds = kinds;
        }

        @Override
        public synchronized CompletionStage<Void> acceptAsync(DeadLetter<? extends Integer> letter) {
            int i = letter.element();
            handed.add(i);
            if (firstRefused < 0) {
                handedBeforeRefusal.add(i);
            }
            return switch (kinds.get(i)) {
                case STORED_NOW -> {
                    stored.add(i);
                    yield CompletableFuture.completedFuture(null);
                }
                case REFUSED_NOW -> {
                    if (firstRefused < 0) {
                        firstRefused = i;
                    }
                    yield CompletableFuture.failedFuture(new DeadLetterException("refused " + i, null));
                }
                default -> {
                    CompletableFuture<Void> stage = new CompletableFuture<>();
                    stages.put(i, stage);
                    pending.add(i);
                    yield stage;
                }
            };
        }
    }
}
