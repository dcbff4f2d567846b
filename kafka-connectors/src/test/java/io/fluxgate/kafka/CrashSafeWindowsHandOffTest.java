package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the default {@code parseParallelism(1)}, {@link CrashSafeWindows} parses and counts on one thread of its
 * own, never on the consumer's poll thread (which goes on polling meanwhile), and the hand-off keeps arrival order:
 * the result equals the operator over the frames in order, including records that are late only in that order.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsHandOffTest {

    @Test
    void parsesAndCountsOnOneThreadOfItsOwnInArrivalOrder(EmbeddedKafka kafka) {
        String in = KafkaTestSupport.unique("handoff-in");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(3), 20_000);
        KafkaTestSupport.produceRaw(kafka, in, frames);

        Set<String> parseThreads = ConcurrentHashMap.newKeySet();
        Map<Long, Long> out = new ConcurrentHashMap<>();
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Long emitted = CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(in + "-g")
                                .property("max.poll.records", 300)
                                .build(),
                        (KafkaRecord<byte[], byte[]> r) -> {
                            parseThreads.add(Thread.currentThread().getName());
                            return reader.read(r.value()) instanceof FrameResult.Frame f ? f : null;
                        },
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .stopAtEnd(true)
                .sink(windows -> windows.doOnNext(w -> out.put(w.start(), w.uniqueUsers())))
                .build()
                .run()
                .count()
                .block(Duration.ofSeconds(60));

        // one thread of the run, never the consumer's ("fluxgate-kafka-poll-<group>")
        assertThat(parseThreads).hasSize(1).allMatch(t -> t.startsWith("fluxgate-windows"));
        assertThat(out).isEqualTo(CrashSafeWindowsTest.uninterrupted(frames)).hasSize(emitted.intValue());
    }

    /**
     * Values the deserializer refuses go to the dead letters with their offsets, between the records around them,
     * and the windows count exactly the others.
     */
    @Test
    void recordsTheDeserializerRefusesAreDeadLetteredAndTheRestCounted(EmbeddedKafka kafka) {
        String in = KafkaTestSupport.unique("handoff-dlq");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(4), 5_000);
        for (int i = 7; i < frames.size(); i += 97) {
            frames.set(i, "refused-" + i);
        }
        KafkaTestSupport.produceRaw(kafka, in, frames);

        org.apache.kafka.common.serialization.Deserializer<byte[]> strict = (topic, data) -> {
            if (new String(data, java.nio.charset.StandardCharsets.UTF_8).startsWith("refused-")) {
                throw new IllegalArgumentException("refused");
            }
            return data;
        };
        io.fluxgate.outcome.InMemoryDeadLetterSink<RejectedRecord> dead = new io.fluxgate.outcome.InMemoryDeadLetterSink<>();
        Map<Long, Long> out = new ConcurrentHashMap<>();
        RootFrameReader reader = RootFrameReader.ofDefaults();
        CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), strict)
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(in + "-g")
                                .property("max.poll.records", 300)
                                .deadLetters(dead)
                                .build(),
                        (KafkaRecord<byte[], byte[]> r) -> reader.read(r.value()) instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .stopAtEnd(true)
                .sink(windows -> windows.doOnNext(w -> out.put(w.start(), w.uniqueUsers())))
                .build()
                .run()
                .blockLast(Duration.ofSeconds(60));

        List<Long> refused = new ArrayList<>();
        for (int i = 7; i < frames.size(); i += 97) {
            refused.add((long) i);
        }
        assertThat(dead.letters()).extracting(l -> l.element().offset()).containsExactlyElementsOf(refused);
        assertThat(out).isEqualTo(CrashSafeWindowsTest.uninterrupted(frames));
    }

    /**
     * With {@link FrameDeserializer} the frames are read inside the consumer's poll: malformed values
     * (and tombstones) go to the dead letters with their raw bytes, offsets and reasons, blank ones are skipped, and
     * the windows count exactly the valid frames in arrival order.
     */
    @Test
    void framesReadByTheDeserializerCountTheValidOnesAndDeadLetterTheMalformed(EmbeddedKafka kafka) {
        String in = KafkaTestSupport.unique("handoff-deser");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(5), 5_000);
        Map<Integer, String> bad = new java.util.TreeMap<>();
        for (int i = 11; i < frames.size(); i += 89) {
            String v = switch (i % 4) {
                case 0 -> "{\"uid\":\"u1\",\"ts\":1.5}";
                case 1 -> "not json";
                case 2 -> "{\"ts\":1700000000,\"device\":{\"uid\":\"nested\"}}";
                default -> "  ";
            };
            frames.set(i, v);
            if (!v.isBlank()) {
                bad.put(i, v);
            }
        }
        KafkaTestSupport.produceRaw(kafka, in, frames);

        io.fluxgate.outcome.InMemoryDeadLetterSink<RejectedRecord> dead = new io.fluxgate.outcome.InMemoryDeadLetterSink<>();
        Map<Long, Long> out = new ConcurrentHashMap<>();
        readByTheDeserializer(kafka, in, dead)
                .sink(windows -> windows.doOnNext(w -> out.put(w.start(), w.uniqueUsers())))
                .build()
                .run()
                .blockLast(Duration.ofSeconds(60));

        assertThat(dead.letters()).extracting(l -> l.element().offset())
                .containsExactlyElementsOf(bad.keySet().stream().map(Integer::longValue).toList());
        assertThat(dead.letters()).extracting(l -> new String(l.element().value(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactlyElementsOf(bad.values());
        assertThat(dead.letters()).extracting(l -> l.reason()).allMatch(r -> r.contains("malformed frame: "))
                .anyMatch(r -> r.endsWith("ts is a float, not an integer"))
                .anyMatch(r -> r.endsWith("missing uid"));
        assertThat(out).isEqualTo(CrashSafeWindowsTest.uninterrupted(frames));
    }

    /**
     * A dead letter the sink stores only later (asynchronously) holds the run back: no window whose checkpoint
     * passes the refused record is emitted before the letter is stored, so no commit can pass it.
     */
    @Test
    void noWindowPastARefusedRecordIsEmittedBeforeItsLetterIsStored(EmbeddedKafka kafka) {
        int refused = 2_500;
        String in = topicWithOneRefused(kafka, "handoff-slow-dlq", 6, refused);

        java.util.concurrent.atomic.AtomicBoolean stored = new java.util.concurrent.atomic.AtomicBoolean();
        io.fluxgate.outcome.DeadLetterSink<RejectedRecord> slow = io.fluxgate.outcome.DeadLetterSink.ofAsync(letter ->
                java.util.concurrent.CompletableFuture.runAsync(() -> stored.set(true),
                        java.util.concurrent.CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS)));
        List<Long> passedUnstored = new ArrayList<>();
        org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(in, 0);
        long windows = readByTheDeserializer(kafka, in, slow)
                .sink(ws -> ws.doOnNext(w -> {
                    long resume = w.checkpoint().orElseThrow().mark(tp).resumePosition();
                    if (resume > refused && !stored.get()) {
                        passedUnstored.add(resume);
                    }
                }))
                .build()
                .run()
                .count()
                .block(Duration.ofSeconds(60));

        assertThat(windows).isGreaterThan(10);
        assertThat(passedUnstored).isEmpty();
        assertThat(stored).isTrue();
    }

    /** A dead letter that cannot be stored fails the run, and nothing at or past its record is committed. */
    @Test
    void aDeadLetterThatCannotBeStoredFailsTheRunBeforeItsOffsetIsCommitted(EmbeddedKafka kafka) throws Exception {
        int refused = 2_500;
        String in = topicWithOneRefused(kafka, "handoff-failed-dlq", 7, refused);

        io.fluxgate.outcome.DeadLetterSink<RejectedRecord> broken = io.fluxgate.outcome.DeadLetterSink.ofAsync(letter ->
                java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("disk full")));
        reactor.test.StepVerifier.create(readByTheDeserializer(kafka, in, broken)
                        .commitInterval(Duration.ZERO)
                        .sink(ws -> ws)
                        .build()
                        .run())
                .thenConsumeWhile(w -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.fluxgate.outcome.DeadLetterException.class)
                        .hasMessageContaining(in + "-0@" + refused)
                        .hasRootCauseMessage("disk full"))
                .verify(Duration.ofSeconds(60));

        assertThat(KafkaTestSupport.committed(kafka, in + "-g").getOrDefault(new org.apache.kafka.common.TopicPartition(in, 0), 0L))
                .isGreaterThan(0L)
                .isLessThanOrEqualTo(refused);
    }

    /** Windows over topic {@code in} read by {@link FrameDeserializer}, to its end, group {@code in-g}. */
    private static CrashSafeWindows.Builder<byte[], FrameResult, FrameResult.Frame> readByTheDeserializer(
            EmbeddedKafka kafka, String in, io.fluxgate.outcome.DeadLetterSink<RejectedRecord> deadLetters) {
        return CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new FrameDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(in + "-g")
                                .property("max.poll.records", 300)
                                .deadLetters(deadLetters)
                                .build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .stopAtEnd(true);
    }

    /** A new topic of 5,000 frames, the one at {@code refused} not JSON; returns its name. */
    private static String topicWithOneRefused(EmbeddedKafka kafka, String prefix, int seed, int refused) {
        String in = KafkaTestSupport.unique(prefix);
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(seed), 5_000);
        frames.set(refused, "not json");
        KafkaTestSupport.produceRaw(kafka, in, frames);
        return in;
    }

    /** Frames over ~20 minutes; every 50th is 10 s behind, beyond the 5 s lateness, so order decides what is late. */
    private static List<String> frames(Random rnd, int n) {
        List<String> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long ts = 1_700_000_000L + i * 1200L / n - (i % 50 == 0 ? 10 : rnd.nextInt(3));
            frames.add("{\"uid\":\"u" + rnd.nextInt(2000) + "\",\"ts\":" + ts + "}");
        }
        return frames;
    }
}
