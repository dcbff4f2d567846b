package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.outcome.DeadLetterException;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/**
 * Records the parse function {@linkplain CrashSafeWindows.Rejections#reject rejects}: their letters go to the
 * source's dead-letter sink without the run waiting for each, at most {@code maxDeadLettersInFlight} at once; every
 * one is stored, with its offset; and one that cannot be stored fails the run before anything past it is committed,
 * with one operator or one per partition.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsRejectionsTest {

    private static final int FRAMES = 5_000;
    private static final Executor LATER = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);

    @Test
    void lettersAreStoredConcurrentlyUpToTheBoundAndTheWindowsCountTheRest(EmbeddedKafka kafka) {
        String in = KafkaTestSupport.unique("rejections-in");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(5));
        KafkaTestSupport.produceRaw(kafka, in, frames);

        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        Set<Long> stored = ConcurrentHashMap.newKeySet();
        DeadLetterSink<RejectedRecord> slow = DeadLetterSink.ofAsync(letter -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return CompletableFuture.runAsync(() -> {
                stored.add(letter.element().offset());
                inFlight.decrementAndGet();
            }, LATER);
        });
        Map<Long, Long> out = new ConcurrentHashMap<>();
        StepVerifier.create(rejecting(kafka, in, slow)
                        .maxDeadLettersInFlight(8)
                        .sink(ws -> ws.doOnNext(w -> out.put(w.start(), w.uniqueUsers())))
                        .build()
                        .run())
                .thenConsumeWhile(w -> true)
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        assertThat(stored).containsExactlyInAnyOrderElementsOf(malformedOffsets(frames));
        // handed over without waiting for each (a 2 ms store, 1,000 of them), never more than the bound
        assertThat(mostInFlight.get()).isGreaterThan(1).isLessThanOrEqualTo(8);
        assertThat(out).isEqualTo(CrashSafeWindowsTest.uninterrupted(frames));
        assertThatThrownBy(() -> rejecting(kafka, in, slow).maxDeadLettersInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDeadLettersInFlight");
    }

    /** With one operator (false) and one per partition (true). */
    @ParameterizedTest(name = "perPartition={0}")
    @ValueSource(booleans = {false, true})
    void aLetterThatCannotBeStoredFailsTheRunAndNothingPastItIsCommitted(boolean perPartition, EmbeddedKafka kafka)
            throws Exception {
        String in = KafkaTestSupport.unique("rejections-refused");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(6));
        KafkaTestSupport.produceRaw(kafka, in, frames);
        long refused = malformedOffsets(frames).get(250);

        DeadLetterSink<RejectedRecord> broken = DeadLetterSink.ofAsync(letter -> letter.element().offset() == refused
                ? CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("disk full");
                }, LATER)
                : CompletableFuture.runAsync(() -> { }, LATER));
        StepVerifier.create(rejecting(kafka, in, broken)
                        .perPartition(perPartition)
                        .commitInterval(Duration.ZERO)
                        .sink(ws -> ws)
                        .build()
                        .run())
                .thenConsumeWhile(w -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DeadLetterException.class)
                        .hasMessageContaining(in + "-0@" + refused)
                        .hasRootCauseMessage("disk full"))
                .verify(Duration.ofSeconds(60));

        assertThat(KafkaTestSupport.committed(kafka, in + "-g").getOrDefault(new TopicPartition(in, 0), 0L))
                .isLessThanOrEqualTo(refused);
    }

    /** Windows over {@code in} to its end, group {@code in-g}; the malformed frames rejected to {@code letters}. */
    private static CrashSafeWindows.Builder<byte[], ByteBuffer, FrameResult.Frame> rejecting(
            EmbeddedKafka kafka, String in, DeadLetterSink<RejectedRecord> letters) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        return CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteBufferDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(in + "-g")
                                .property("max.poll.records", 300)
                                .deadLetters(letters)
                                .build(),
                        (KafkaRecord<byte[], ByteBuffer> r, CrashSafeWindows.Rejections rejections) -> {
                            FrameResult result = reader.read(r.value());
                            if (result instanceof FrameResult.Malformed m) {
                                rejections.reject(RejectedRecord.ofBuffer(r).letter("parse", m.reason()));
                            }
                            return result instanceof FrameResult.Frame f ? f : null;
                        },
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .stopAtEnd(true);
    }

    private static List<Long> malformedOffsets(List<String> frames) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            if (reader.read(frames.get(i)) instanceof FrameResult.Malformed) {
                offsets.add((long) i);
            }
        }
        return offsets;
    }

    /** Frames over ~4 minutes of event time, every 5th malformed. */
    private static List<String> frames(Random rnd) {
        List<String> frames = new ArrayList<>(FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            long ts = 1_700_000_000L + i / 20 - rnd.nextInt(3);
            String uid = "u" + rnd.nextInt(500);
            frames.add(i % 5 == 0 ? "{\"uid\":\"" + uid + "\",\"ts\":" + ts + ".5}"
                    : "{\"uid\":\"" + uid + "\",\"ts\":" + ts + "}");
        }
        return frames;
    }
}
