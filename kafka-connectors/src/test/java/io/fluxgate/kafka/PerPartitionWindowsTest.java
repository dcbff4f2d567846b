package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.committed;
import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link CrashSafeWindows.Builder#perPartition(boolean) Per-partition mode} with several consumers in one group:
 * each partition's results equal the operator applied to that partition alone, whichever consumer read it and even
 * when it moved mid-run; with stopAtEnd every partition ends committed at its end offset (also after trailing
 * malformed records, and an empty partition counts as done), and every consumer, an idle one included, completes
 * only once the whole input is done.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class PerPartitionWindowsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 4;

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.kafka.GroupProtocols#available")
    void severalConsumersSplitThePartitionsAndEachPartitionIsExact(GroupProtocol protocol, EmbeddedKafka kafka) throws Exception {
        String in = unique("pp-in");
        String group = in + "-g";
        kafka.createTopic(in, PARTITIONS);
        // partition 3 stays empty; partition 2 ends with malformed lines
        List<List<String>> input = input(new Random(5), 3, 6000);
        input.get(2).addAll(List.of("not json", "{\"uid\":\"x\",\"ts\":1.5}"));
        produce(kafka, in, input);

        Map<String, Long> results = new ConcurrentHashMap<>();
        // five consumers for four partitions (one non-empty partition fewer): at least one has no partition at all
        List<Mono<Long>> consumers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            consumers.add(job(kafka, protocol, in, group, "c" + i, results, Duration.ZERO, 1).run().count()
                    .subscribeOn(Schedulers.boundedElastic()));
        }
        List<Long> counts = Flux.merge(consumers).collectList().block(TIMEOUT);

        assertThat(counts).hasSize(5);
        assertThat(results).isEqualTo(reference(input));
        // each partition committed at its end, with its own window state: its largest ts, its last window's end
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try (var admin = kafka.admin()) {
            offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
        RootFrameReader reader = RootFrameReader.ofDefaults();
        for (int p = 0; p < 3; p++) {
            OffsetAndMetadata om = offsets.get(new TopicPartition(in, p));
            assertThat(om.offset()).as("partition %d", p).isEqualTo(input.get(p).size());
            long maxTs = input.get(p).stream()
                    .mapToLong(f -> reader.read(f) instanceof FrameResult.Frame fr ? fr.ts() : Long.MIN_VALUE).max().orElseThrow();
            assertThat(CheckpointCodec.decode(om.metadata())).isEqualTo(new CheckpointCodec.State(maxTs,
                    Map.of(CrashChild.WINDOW, Math.floorDiv(maxTs, 60) * 60 + 60)));
        }
        assertThat(offsets).doesNotContainKey(new TopicPartition(in, 3));
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.kafka.GroupProtocols#available")
    void aPartitionTakenOverMidRunContinuesExactly(GroupProtocol protocol, EmbeddedKafka kafka) throws Exception {
        String in = unique("pp-move");
        String group = in + "-g";
        kafka.createTopic(in, PARTITIONS);
        List<List<String>> input = input(new Random(9), PARTITIONS, 15_000);
        produce(kafka, in, input);

        Map<String, Long> results = new ConcurrentHashMap<>();
        // A starts alone and acknowledges its windows slowly (at least 40 ms each, so it cannot finish its 100
        // windows in under 4 s however the machine is loaded); B joins once A has committed something, so A owns
        // partitions whatever the join order; A is cancelled (no flush, as in a crash) once every partition has
        // committed progress, and B takes A's partitions over from A's commits.
        Disposable a = job(kafka, protocol, in, group, "a", results, Duration.ofMillis(40), 2).run().subscribe();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (committed(kafka, group).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Mono<Long> b = job(kafka, protocol, in, group, "b", results, Duration.ZERO, 2).run().count()
                .subscribeOn(Schedulers.boundedElastic()).cache();
        b.subscribe();
        long total = input.stream().mapToLong(List::size).sum();
        Map<TopicPartition, Long> offsets = Map.of();
        while (offsets.size() < PARTITIONS && System.nanoTime() < deadline) {
            Thread.sleep(20);
            offsets = committed(kafka, group);
        }
        a.dispose();
        long committedWhenCancelled = offsets.values().stream().mapToLong(Long::longValue).sum();
        b.block(TIMEOUT);

        assertThat(offsets).as("every partition had committed progress").hasSize(PARTITIONS);
        assertThat(committedWhenCancelled).as("A was cancelled mid-run").isLessThan(total);
        assertThat(results).isEqualTo(reference(input));
    }

    /**
     * A job writing each result into {@code results} as partition/start -> users (last write wins), parsing on
     * {@code parseThreads} threads (1: the default hand-off to one thread of the run).
     */
    private static CrashSafeWindows<byte[], byte[], FrameResult.Frame> job(EmbeddedKafka kafka, GroupProtocol protocol,
                                                                       String in, String group,
                                                                       String member, Map<String, Long> results,
                                                                       Duration ackDelay, int parseThreads) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        return CrashSafeWindows.builder(
                        GroupProtocols.apply(KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(group)
                                .property("max.poll.records", 100)
                                .property("group.instance.id", group + "-" + member), protocol)
                                .build(),
                        (KafkaRecord<byte[], byte[]> r) -> reader.read(r.value()) instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .perPartition(true)
                .stopAtEnd(true)
                .parseParallelism(parseThreads)
                .commitInterval(Duration.ofMillis(50))
                .sink(windows -> (ackDelay.isZero() ? windows : windows.delayElements(ackDelay)).doOnNext(w -> results.put(
                        CrashSafeWindows.partitionOf(w).partition() + "/" + w.start(), w.uniqueUsers())))
                .build();
    }

    /** Per partition, frames over ~25 minutes with some disorder beyond the lateness. */
    private static List<List<String>> input(Random rnd, int filled, int perPartition) {
        List<List<String>> input = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> frames = new ArrayList<>();
            for (int i = 0; p < filled && i < perPartition; i++) {
                long ts = 1_700_000_000L + i * 1500L / perPartition + rnd.nextInt(21) - 15;
                frames.add("{\"uid\":\"p" + p + "u" + rnd.nextInt(500) + "\",\"ts\":" + ts + "}");
            }
            input.add(frames);
        }
        return input;
    }

    private static void produce(EmbeddedKafka kafka, String topic, List<List<String>> input) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < input.size(); p++) {
                for (String frame : input.get(p)) {
                    producer.send(new ProducerRecord<>(topic, p, null, frame));
                }
            }
            producer.flush();
        }
    }

    /** Each partition's frames, in order, through the operator alone: partition/start -> users. */
    private static Map<String, Long> reference(List<List<String>> input) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Map<String, Long> m = new TreeMap<>();
        for (int p = 0; p < input.size(); p++) {
            int partition = p;
            Flux.fromIterable(input.get(p))
                    .mapNotNull(f -> reader.read(f) instanceof FrameResult.Frame fr ? fr : null)
                    .transform(CrashChild.<FrameResult.Frame>windows(f -> f).build())
                    .doOnNext((WindowCount w) -> m.put(partition + "/" + w.start(), w.uniqueUsers()))
                    .blockLast();
        }
        return m;
    }
}
