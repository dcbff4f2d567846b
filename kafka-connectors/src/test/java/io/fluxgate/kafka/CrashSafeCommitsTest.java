package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Crash-safe commits step by step, in both modes, with a sink that holds each window's acknowledgement until the
 * test releases it: nothing is committed for a window the sink has not acknowledged (nor for one acknowledged
 * before an earlier, unacknowledged one), and once the prefix is acknowledged the committed offset and metadata are
 * exactly the checkpoint of its last window: the first record of the next window, the largest event time before
 * it, the end of the last emitted window.
 *
 * <p>Each partition holds frames 10 s apart over four one-minute windows A, B, C, D (6 frames each, offsets 0-5,
 * 6-11, 12-17, 18-23); with 5 s lateness A, B and C close, D stays open. Every check waits for an observable event
 * (a window at the sink, a window out of the run after its commit step, a commit of another partition), never for
 * time.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeCommitsTest {

    private static final long T0 = 1_700_000_040L; // a minute boundary
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void combinedModeCommitsOnlyTheAcknowledgedPrefixWithItsCheckpoint(EmbeddedKafka kafka) throws Exception {
        String in = KafkaTestSupport.unique("commits-combined");
        String group = in + "-g";
        kafka.createTopic(in, 1);
        KafkaTestSupport.produceRecords(kafka, frames(in, 0));
        HeldSink sink = new HeldSink();
        List<WindowCount> out = new CopyOnWriteArrayList<>();
        // commit interval 0: every acknowledgement is followed by a commit step before the window leaves the run
        Disposable run = job(kafka, in, group, sink, false, Duration.ZERO).run().subscribe(out::add);
        try {
            List<WindowCount> held = sink.await(3);
            assertThat(held).extracting(WindowCount::start).containsExactly(T0, T0 + 60, T0 + 120);
            WindowCount a = held.get(0);
            WindowCount b = held.get(1);
            WindowCount c = held.get(2);
            TopicPartition tp = new TopicPartition(in, 0);

            // B acknowledged before A: its commit step runs (B comes out of the run), and commits nothing
            sink.ack(b);
            await(() -> out.contains(b));
            assertThat(committed(kafka, group)).isEmpty();

            sink.ack(a);
            await(() -> out.contains(a));
            assertThat(committed(kafka, group)).containsOnlyKeys(tp);
            assertCommit(committed(kafka, group).get(tp), 12, T0 + 110, T0 + 120);

            sink.ack(c);
            await(() -> out.contains(c));
            assertCommit(committed(kafka, group).get(tp), 18, T0 + 170, T0 + 180);
        } finally {
            run.dispose();
        }
    }

    @Test
    void perPartitionModeCommitsEachPartitionsAcknowledgedPrefixWithItsCheckpoint(EmbeddedKafka kafka) throws Exception {
        String in = KafkaTestSupport.unique("commits-partitioned");
        String group = in + "-g";
        kafka.createTopic(in, 2);
        List<ProducerRecord<String, String>> records = new ArrayList<>(frames(in, 0));
        records.addAll(frames(in, 1));
        KafkaTestSupport.produceRecords(kafka, records);
        HeldSink sink = new HeldSink();
        Disposable run = job(kafka, in, group, sink, true, Duration.ofMillis(20)).run().subscribe();
        TopicPartition tp0 = new TopicPartition(in, 0);
        TopicPartition tp1 = new TopicPartition(in, 1);
        try {
            List<WindowCount> held = sink.await(6);
            Map<Integer, List<WindowCount>> byPartition = new java.util.TreeMap<>();
            held.forEach(w -> byPartition.computeIfAbsent(CrashSafeWindows.partitionOf(w).partition(),
                    p -> new ArrayList<>()).add(w));
            assertThat(byPartition.get(0)).extracting(WindowCount::start).containsExactly(T0, T0 + 60, T0 + 120);
            assertThat(byPartition.get(1)).extracting(WindowCount::start).containsExactly(T0, T0 + 60, T0 + 120);
            List<WindowCount> p0 = byPartition.get(0);
            List<WindowCount> p1 = byPartition.get(1);

            // partition 1's A: committed at its checkpoint; partition 0, nothing acknowledged, has no commit
            sink.ack(p1.get(0));
            await(() -> committed(kafka, group).containsKey(tp1));
            assertCommit(committed(kafka, group).get(tp1), 6, T0 + 50, T0 + 60);
            assertThat(committed(kafka, group)).doesNotContainKey(tp0);

            // partition 0's B before its A: not committed; the fence is partition 1's B, acknowledged after it and
            // committed by the same ticker
            sink.ack(p0.get(1));
            sink.ack(p1.get(1));
            await(() -> offset(committed(kafka, group).get(tp1)) == 12);
            assertThat(committed(kafka, group)).doesNotContainKey(tp0);

            sink.ack(p0.get(0));
            await(() -> committed(kafka, group).containsKey(tp0));
            assertCommit(committed(kafka, group).get(tp0), 12, T0 + 110, T0 + 120);

            sink.ack(p0.get(2));
            await(() -> offset(committed(kafka, group).get(tp0)) == 18);
            assertCommit(committed(kafka, group).get(tp0), 18, T0 + 170, T0 + 180);
            assertCommit(committed(kafka, group).get(tp1), 12, T0 + 110, T0 + 120);
        } finally {
            run.dispose();
        }
    }

    /** Frames 10 s apart from {@link #T0}: four windows of six frames each, users 0-5 in every window. */
    static List<ProducerRecord<String, String>> frames(String topic, int partition) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            records.add(new ProducerRecord<>(topic, partition, null,
                    "{\"uid\":\"u" + (i % 6) + "\",\"ts\":" + (T0 + 10L * i) + "}"));
        }
        return records;
    }

    private static CrashSafeWindows<byte[], FrameResult, FrameResult.Frame> job(EmbeddedKafka kafka, String in,
                                                                                String group, HeldSink sink,
                                                                                boolean perPartition,
                                                                                Duration commitInterval) {
        return CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new FrameDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(group).build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .perPartition(perPartition)
                .commitInterval(commitInterval)
                .sink(sink)
                .build();
    }

    private static void assertCommit(OffsetAndMetadata om, long offset, long maxEventTimeBefore, long emittedUpTo) {
        assertThat(om).isNotNull();
        assertThat(om.offset()).isEqualTo(offset);
        assertThat(CheckpointCodec.decode(om.metadata()))
                .isEqualTo(new CheckpointCodec.State(maxEventTimeBefore, Map.of(CrashChild.WINDOW, emittedUpTo)));
    }

    private static long offset(OffsetAndMetadata om) {
        return om == null ? -1 : om.offset();
    }

    static Map<TopicPartition, OffsetAndMetadata> committed(EmbeddedKafka kafka, String group) {
        try (var admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = new java.util.HashMap<>(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, java.util.concurrent.TimeUnit.SECONDS));
            m.values().removeIf(java.util.Objects::isNull);
            return m;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        KafkaSourceTest.await(condition);
    }

    /** A sink that acknowledges a window only when the test says so. */
    static final class HeldSink implements Function<Flux<WindowCount>, Flux<WindowCount>> {
        private final BlockingQueue<WindowCount> received = new LinkedBlockingQueue<>();
        private final Sinks.Many<WindowCount> acks = Sinks.many().unicast().onBackpressureBuffer();

        @Override
        public Flux<WindowCount> apply(Flux<WindowCount> windows) {
            return Flux.merge(windows.doOnNext(received::add).then(Mono.<WindowCount>empty()), acks.asFlux());
        }

        /** The first {@code n} windows the sink was given, in order (fails after the timeout). */
        List<WindowCount> await(int n) throws InterruptedException {
            List<WindowCount> got = new ArrayList<>();
            while (got.size() < n) {
                WindowCount w = received.poll(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertThat(w).as("window %d of %d at the sink", got.size() + 1, n).isNotNull();
                got.add(w);
            }
            return got;
        }

        synchronized void ack(WindowCount w) {
            acks.emitNext(w, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }
}
