package io.fluxgate.examples.dashboard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.kafka.KafkaSinkException;
import io.fluxgate.kafka.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's own logic (sharing one sink subscription, failing the waiting requests, restarting, skipping
 * cancelled requests) over a scripted sink: a stand-in for the Kafka sink that writes to a list, one frame at a time
 * (no prefetch, so what was not yet handed over is visible), holds uid "slow" until released and fails on uid
 * "poison" as the Kafka sink fails on a record it cannot write. The Kafka sink itself is exercised by the endpoint
 * tests against the embedded broker.
 */
class FramePublisherTest {

    private final ScriptedSink sink = new ScriptedSink();
    private final FramePublisher publisher = new FramePublisher(sink, 16);

    @AfterEach
    void close() {
        publisher.close();
    }

    private static List<NdjsonBody.Line> lines(String... uids) {
        return java.util.stream.IntStream.range(0, uids.length)
                .mapToObj(i -> new NdjsonBody.Line(i + 1, uids[i], i, uids[i].getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    @Test
    void requestsShareOneSinkSubscriptionAndCompleteWhenEveryFrameIsWritten() {
        StepVerifier.create(publisher.publish(lines("a", "b", "c"))).expectNext(3).verifyComplete();
        StepVerifier.create(publisher.publish(lines("d"))).expectNext(1).verifyComplete();

        assertThat(sink.written).containsExactly("a", "b", "c", "d");
        assertThat(sink.subscriptions).hasValue(1);
    }

    @Test
    void aSinkFailureFailsTheWaitingRequestAndTheSinkStartsAgain() {
        StepVerifier.create(publisher.publish(lines("a", "poison", "b")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FramePublisher.PublishFailedException.class)
                        .hasMessageContaining("broker says no"))
                .verify(Duration.ofSeconds(5));

        StepVerifier.create(publisher.publish(lines("c"))).expectNext(1).verifyComplete();
        // the failed request's frames after the failure are not written by the restarted sink
        assertThat(sink.written).containsExactly("a", "c");
        assertThat(sink.subscriptions).hasValue(2);
    }

    @Test
    void framesOfACancelledRequestNotYetHandedOverAreSkipped() {
        Mono<Integer> first = publisher.publish(lines("slow"));
        Disposable waiting = first.subscribe();
        Disposable second = publisher.publish(lines("x", "y")).subscribe();
        second.dispose();                       // the client went away (or the request timed out)
        sink.release.tryEmitValue(true);

        StepVerifier.create(publisher.publish(lines("z"))).expectNext(1).verifyComplete();
        assertThat(sink.written).containsExactly("slow", "z");
        waiting.dispose();
    }

    @Test
    void closingFailsTheWaitingRequests() {
        Mono<Integer> held = publisher.publish(lines("slow")).cache();
        held.subscribe(n -> { }, e -> { });
        publisher.close();

        StepVerifier.create(held).expectErrorMessage("the dashboard is shutting down").verify(Duration.ofSeconds(5));
        StepVerifier.create(publisher.publish(lines("late"))).expectError(IllegalStateException.class).verify();
    }

    @Test
    void anEmptyRequestIsDoneAtOnce() {
        StepVerifier.create(publisher.publish(List.of())).expectNext(0).verifyComplete();
        assertThat(sink.written).isEmpty();
    }

    /** Writes uids to a list, one frame at a time; see the class comment. */
    private static final class ScriptedSink
            implements Function<Flux<FramePublisher.Outgoing>, Flux<SendResult<FramePublisher.Outgoing>>> {
        final AtomicInteger subscriptions = new AtomicInteger();
        final List<String> written = new CopyOnWriteArrayList<>();
        final Sinks.One<Boolean> release = Sinks.one();

        @Override
        public Flux<SendResult<FramePublisher.Outgoing>> apply(Flux<FramePublisher.Outgoing> frames) {
            return Flux.defer(() -> {
                subscriptions.incrementAndGet();
                return frames.concatMap(this::write, 0);
            });
        }

        private Mono<SendResult<FramePublisher.Outgoing>> write(FramePublisher.Outgoing o) {
            String uid = o.line().uid();
            if (uid.equals("poison")) {
                return Mono.error(new KafkaSinkException("broker says no", o, null));
            }
            Mono<Boolean> wait = uid.equals("slow") ? release.asMono() : Mono.just(true);
            return wait.map(x -> {
                written.add(uid);
                return new SendResult<>(o, SendResult.Outcome.SENT, "frames", 0, written.size() - 1L, null);
            });
        }
    }
}
