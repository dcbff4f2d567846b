package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.committed;
import static io.fluxgate.kafka.KafkaTestSupport.produce;
import static io.fluxgate.kafka.KafkaTestSupport.produceRaw;
import static io.fluxgate.kafka.KafkaTestSupport.stringSource;
import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.JsonSerde;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.InMemoryDeadLetterSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaSourceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void roundTripWithAcks(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-rt");
        String group = unique("g");
        kafka.createTopic(topic, 3);
        produce(kafka, topic, 0, 1000);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group).build());

        Set<String> seen = ConcurrentHashMap.newKeySet();
        source.receive()
                .doOnNext(r -> {
                    assertThat(r.value()).isEqualTo(r.key().replace("key", "value"));
                    seen.add(r.key());
                    r.ack();
                })
                .take(1000)
                .blockLast(TIMEOUT);
        assertThat(seen).hasSize(1000);
        assertThat(source.receivedCount()).isEqualTo(1000);
        // cancel commits every acknowledged prefix: the group's committed offsets cover all 1000 records
        // (the commit on cancel runs on the poll thread after the stream completed: wait for it)
        await(() -> committedQuietlySum(kafka, group) == 1000);
    }

    @Test
    void commitsOnlyTheContiguousAcknowledgedPrefix(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-prefix");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(kafka, topic, 0, 20);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group).commitBatchSize(1).build());

        // acknowledge every record except offset 7, and 8..19 before 0..6
        List<KafkaRecord<String, String>> got = source.receive().take(20).collectList().block(TIMEOUT);
        for (int i = 8; i < 20; i++) {
            got.get(i).ack();
        }
        for (int i = 0; i < 7; i++) {
            got.get(i).ack();
        }
        // acknowledgements after the subscription ended are ignored (checked at the end)
        // live: a second topic whose partition 1 holds one record, acknowledged last, as a fence
        String liveTopic = unique("src-prefix-live");
        String group2 = unique("g");
        kafka.createTopic(liveTopic, 2);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(new ProducerRecord<>(liveTopic, 0, "key-" + i, "value-" + i));
        }
        records.add(new ProducerRecord<>(liveTopic, 1, "fence", "fence"));
        KafkaTestSupport.produceRecords(kafka, records);
        KafkaSource<String, String> live = KafkaSource.create(stringSource(kafka, liveTopic, group2).commitBatchSize(1).build());
        Map<Long, KafkaRecord<String, String>> p0 = new ConcurrentHashMap<>();
        List<KafkaRecord<String, String>> p1 = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable d = live.receive().subscribe(r -> {
            if (r.partition() == 0) {
                p0.put(r.offset(), r);
            } else {
                p1.add(r);
            }
        });
        TopicPartition tp0 = new TopicPartition(liveTopic, 0);
        TopicPartition tp1 = new TopicPartition(liveTopic, 1);
        try {
            await(() -> p0.size() == 20 && p1.size() == 1);
            for (long i = 8; i < 20; i++) {
                p0.get(i).ack();
            }
            for (long i = 0; i < 7; i++) {
                p0.get(i).ack();
            }
            await(() -> committedOffset(kafka, group2, tp0) == 7L);
            // no sleep to show that no later commit moves past the unacknowledged offset 7: the fence on partition
            // 1 is acknowledged after every one above, so once its commit is visible, every commit those could
            // cause has been made too
            p1.get(0).ack();
            await(() -> committedOffset(kafka, group2, tp1) == 1L);
            assertThat(committedOffset(kafka, group2, tp0)).isEqualTo(7L);
            p0.get(7L).ack();
            await(() -> committedOffset(kafka, group2, tp0) == 20L);
        } finally {
            d.dispose();
        }
        // the first group acknowledged after cancel: nothing may have been committed
        assertThat(committed(kafka, group)).isEmpty();
    }

    @Test
    void unacknowledgedRecordsAreReadAgainByTheNextConsumer(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-again");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(kafka, topic, 0, 100);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group).build());
        // first run acknowledges only the first 40 records, then cancels
        source.receive().take(100).doOnNext(r -> {
            if (r.offset() < 40) {
                r.ack();
            }
        }).blockLast(TIMEOUT);
        await(() -> committedOffset(kafka, group, new TopicPartition(topic, 0)) == 40L);
        // the second run starts at 40
        KafkaRecord<String, String> first = source.receive().next().block(TIMEOUT);
        assertThat(first.offset()).isEqualTo(40);
    }

    @Test
    void malformedValuesGoToTheDeadLetterFileAndTheConsumerGoesOn(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        record Event(String id, int n) {
        }
        String topic = unique("src-bad");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produceRaw(kafka, topic, List.of("{\"id\":\"a\",\"n\":1}", "{not json", "{\"id\":\"b\",\"n\":2}",
                "{\"id\":\"c\",\"n\":\"three\"}", "{\"id\":\"d\",\"n\":4}"));
        Path dlq = dir.resolve("dlq.jsonl");
        DeadLetterSink<RejectedRecord> handler = DeadLetters.toFile(dlq);
        KafkaSource<String, Event> source = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), JsonSerde.deserializer(Event.class))
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(group)
                        .commitInterval(Duration.ofMillis(100))
                        .deadLetters(handler)
                        .build());
        List<Event> events = source.receive().doOnNext(KafkaRecord::ack).map(KafkaRecord::value).take(3)
                .collectList().block(TIMEOUT);
        handler.close();
        assertThat(events).extracting(Event::id).containsExactly("a", "b", "d");
        assertThat(source.rejectedCount()).isEqualTo(2);
        assertThat(handler.count()).isEqualTo(2);
        List<String> lines = Files.readAllLines(dlq, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"topic\":\"" + topic + "\"", "\"partition\":0", "\"offset\":1",
                "malformed JSON for Event");
        assertThat(lines.get(1)).contains("\"offset\":3");
        // rejected records are acknowledged once stored: everything is committed
        await(() -> committedOffset(kafka, group, new TopicPartition(topic, 0)) == 5L);
    }

    @Test
    void deadLettersToATopicCarryOriginHeaders(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-bad-topic");
        String dlqTopic = topic + ".dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(dlqTopic, 1);
        produceRaw(kafka, topic, List.of("{\"x\":", "{\"x\":1}"));
        DeadLetterSink<RejectedRecord> handler = DeadLetters.toTopic(kafka.bootstrapServers(), dlqTopic, Map.of());
        KafkaSource<String, Map> source = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), JsonSerde.deserializer(Map.class))
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(unique("g"))
                        .deadLetters(handler).build());
        assertThat(source.receive().map(KafkaRecord::value).next().block(TIMEOUT)).containsEntry("x", 1);
        handler.close();
        KafkaRecord<String, String> dead = KafkaSource.create(stringSource(kafka, dlqTopic, unique("g")).build())
                .receive().next().block(TIMEOUT);
        assertThat(dead.value()).isEqualTo("{\"x\":");
    }

    @Test
    void aLetterThatCannotBeStoredKeepsItsOffsetUncommittedAndIsReadAgain(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-bad-unstored");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produceRaw(kafka, topic, List.of("{\"x\":1}", "{bad", "{\"x\":2}", "{\"x\":3}"));
        DeadLetterSink<Object> broken = DeadLetterSink.of(letter -> {
            throw new IllegalStateException("dead-letter store down");
        });
        KafkaSource<String, Map> first = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), JsonSerde.deserializer(Map.class))
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(group)
                        .deadLetters(broken).build());
        assertThat(first.receive().doOnNext(KafkaRecord::ack).take(2).collectList().block(TIMEOUT)).hasSize(2);
        assertThat(broken.count()).isZero();
        // offsets 0 and 2 were acknowledged, 1 was not: the commit stops before the lost letter
        await(() -> committedOffset(kafka, group, new TopicPartition(topic, 0)) == 1L);

        // any core sink takes Kafka letters; after the restart the record is rejected again and stored
        InMemoryDeadLetterSink<Object> memory = new InMemoryDeadLetterSink<>();
        KafkaSource<String, Map> second = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), JsonSerde.deserializer(Map.class))
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(group)
                        .deadLetters(memory).build());
        assertThat(second.receive().doOnNext(KafkaRecord::ack).map(KafkaRecord::value).take(2).collectList()
                .block(TIMEOUT)).extracting(m -> m.get("x")).containsExactly(2, 3);
        assertThat(memory.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.stage()).isEqualTo(RejectedRecord.SOURCE_STAGE);
            assertThat(letter.reason()).startsWith("value not deserializable: ").contains("malformed JSON");
            RejectedRecord r = (RejectedRecord) letter.element();
            assertThat(r.topic()).isEqualTo(topic);
            assertThat(r.offset()).isEqualTo(1);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{bad");
        });
        await(() -> committedOffset(kafka, group, new TopicPartition(topic, 0)) == 4L);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.kafka.GroupProtocols#available")
    void rebalanceBetweenTwoConsumersLosesNothing(GroupProtocol protocol, EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-rebalance");
        String group = unique("g");
        kafka.createTopic(topic, 4);
        int total = 4000;
        produce(kafka, topic, 0, total);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group)
                .groupProtocol(protocol)
                .property("max.poll.records", 50).build());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Map<String, Integer> byConsumer = new ConcurrentHashMap<>();
        // consumer A stays slow until B has records, so B joins (a rebalance takes seconds) while A still has
        // plenty left: on a fast machine a fixed delay let A finish before the rebalance, and B got nothing
        Disposable a = source.receive()
                .delayUntil(r -> byConsumer.containsKey("b") ? Mono.empty()
                        : Mono.delay(Duration.ofMillis(10), Schedulers.single()))
                .subscribe(r -> {
                    seen.add(r.key());
                    byConsumer.merge("a", 1, Integer::sum);
                    r.ack();
                });
        await(() -> byConsumer.getOrDefault("a", 0) > 200);
        Disposable b = source.receive()
                .publishOn(Schedulers.boundedElastic())
                .subscribe(r -> {
                    seen.add(r.key());
                    byConsumer.merge("b", 1, Integer::sum);
                    r.ack();
                });
        try {
            await(() -> seen.size() == total);
            await(() -> committedQuietlySum(kafka, group) == total);
        } finally {
            a.dispose();
            b.dispose();
        }
        assertThat(byConsumer.get("b")).as("second consumer got partitions").isPositive();
        assertThat(committed(kafka, group)).hasSize(4);
    }

    @Test
    void patternSubscriptionAndMetrics(EmbeddedKafka kafka) {
        String prefix = unique("src-pattern");
        kafka.createTopic(prefix + ".one", 1);
        kafka.createTopic(prefix + ".two", 1);
        produce(kafka, prefix + ".one", 0, 5);
        produce(kafka, prefix + ".two", 5, 10);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaSource<String, String> source = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                        .bootstrapServers(kafka.bootstrapServers())
                        .topicPattern(Pattern.compile(Pattern.quote(prefix) + "\\..*"))
                        .groupId(unique("g"))
                        .commitInterval(Duration.ofMillis(100))
                        .meterRegistry(registry)
                        .build());
        Set<String> topics = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean clientMetricsBound = new java.util.concurrent.atomic.AtomicBoolean();
        source.receive().doOnNext(r -> topics.add(r.topic())).doOnNext(KafkaRecord::ack)
                .doOnNext(r -> {
                    if (registry.getMeters().stream().anyMatch(m -> m.getId().getName().startsWith("kafka.consumer"))) {
                        clientMetricsBound.set(true);
                    }
                })
                .take(10)
                .blockLast(TIMEOUT);
        assertThat(topics).containsExactlyInAnyOrder(prefix + ".one", prefix + ".two");
        assertThat(registry.get("fluxgate.kafka.source.records").counter().count()).isEqualTo(10.0);
        assertThat(registry.find("fluxgate.kafka.source.lag").gauge()).isNotNull();
        assertThat(clientMetricsBound).as("KafkaClientMetrics bound while the consumer ran").isTrue();
    }

    /** The committed offset of one partition, -1 when none (or the broker could not say). */
    static long committedOffset(EmbeddedKafka kafka, String group, TopicPartition tp) {
        try {
            return committed(kafka, group).getOrDefault(tp, -1L);
        } catch (Exception e) {
            return -1;
        }
    }

    static long committedQuietly(EmbeddedKafka kafka, String group) {
        return committedQuietlySum(kafka, group);
    }

    static long committedQuietlySum(EmbeddedKafka kafka, String group) {
        try {
            return committed(kafka, group).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Polls a condition (a real broker has no virtual time); fails after 60 s. */
    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + TIMEOUT);
            }
            Thread.sleep(20);
        }
    }
}
