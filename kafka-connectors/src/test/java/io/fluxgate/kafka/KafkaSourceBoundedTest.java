package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.committed;
import static io.fluxgate.kafka.KafkaTestSupport.produce;
import static io.fluxgate.kafka.KafkaTestSupport.produceRecords;
import static io.fluxgate.kafka.KafkaTestSupport.stringSource;
import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Bounded runs: {@link StopPosition#END_OFFSETS_AT_START} over topics filled by someone else. */
@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaSourceBoundedTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void readsToTheEndOffsetsFoundAtStartWithAnEmptyPartitionAndCompletes(EmbeddedKafka kafka) throws Exception {
        String topic = unique("bounded");
        String group = unique("g");
        kafka.createTopic(topic, 3);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // partition 2 stays empty
            records.add(new ProducerRecord<>(topic, i % 2, "key-" + i, "value-" + i));
        }
        produceRecords(kafka, records);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group).untilEndOffsets().build());
        AtomicBoolean appended = new AtomicBoolean();
        List<String> keys = source.receive()
                .doOnNext(r -> {
                    if (appended.compareAndSet(false, true)) {
                        // appended after the run started: not part of it
                        produce(kafka, topic, 1000, 1100);
                    }
                })
                .doOnNext(KafkaRecord::ack)
                .map(KafkaRecord::key)
                .collectList()
                .block(TIMEOUT);
        assertThat(keys).hasSize(60).doesNotHaveDuplicates().allMatch(k -> Integer.parseInt(k.substring(4)) < 60);
        // what was acknowledged before the completion is committed, and nothing past the stop
        KafkaSourceTest.await(() -> KafkaSourceTest.committedQuietlySum(kafka, group) == 60);
        assertThat(committed(kafka, group)).containsEntry(new TopicPartition(topic, 0), 30L)
                .containsEntry(new TopicPartition(topic, 1), 30L);
    }

    @Test
    void anEmptyTopicCompletesAtOnce(EmbeddedKafka kafka) {
        String topic = unique("bounded-empty");
        kafka.createTopic(topic, 2);
        StepVerifier.create(KafkaSource.create(stringSource(kafka, topic, unique("g")).untilEndOffsets().build()).receive())
                .verifyComplete();
    }

    @Test
    void aFollowingRunFromTheCommittedEndCompletesEmpty(EmbeddedKafka kafka) {
        String topic = unique("bounded-again");
        String group = unique("g");
        kafka.createTopic(topic, 2);
        produce(kafka, topic, 0, 40);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group).untilEndOffsets().build());
        assertThat(source.receive().doOnNext(KafkaRecord::ack).count().block(TIMEOUT)).isEqualTo(40);
        assertThat(source.receive().count().block(TIMEOUT)).isZero();
    }

    @Test
    void aBoundedRunEmitsOnlyWhatIsRequestedAndCompletesAfterTheLastRecord(EmbeddedKafka kafka) {
        String topic = unique("bounded-demand");
        kafka.createTopic(topic, 1);
        produce(kafka, topic, 0, 30);
        StepVerifier.create(KafkaSource.create(stringSource(kafka, topic, unique("g")).untilEndOffsets().build())
                        .receive().map(KafkaRecord::offset), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(300))
                .thenRequest(5)
                .expectNext(0L, 1L, 2L, 3L, 4L)
                // no more than requested, and no completion while records are left
                .expectNoEvent(Duration.ofMillis(500))
                .thenRequest(25)
                .expectNextCount(25)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void cancelBeforeTheEndClosesTheConsumerWithoutCompleting(EmbeddedKafka kafka) throws Exception {
        String topic = unique("bounded-cancel");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(kafka, topic, 0, 30);
        StepVerifier.create(KafkaSource.create(stringSource(kafka, topic, group).untilEndOffsets().build())
                        .receive().doOnNext(KafkaRecord::ack).map(KafkaRecord::offset), 3)
                .expectNext(0L, 1L, 2L)
                .thenCancel()
                .verify(TIMEOUT);
        // the acknowledged prefix is committed on close
        KafkaSourceTest.await(() -> KafkaSourceTest.committedQuietlySum(kafka, group) == 3);
    }

    @Test
    void acknowledgementsAfterTheCompletionAreStillCommitted(EmbeddedKafka kafka) throws Exception {
        String topic = unique("bounded-late-acks");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(kafka, topic, 0, 25);
        List<KafkaRecord<String, String>> got = KafkaSource.create(stringSource(kafka, topic, group).untilEndOffsets().build())
                .receive().collectList().block(TIMEOUT);
        assertThat(got).hasSize(25);
        got.forEach(KafkaRecord::ack);
        KafkaSourceTest.await(() -> KafkaSourceTest.committedQuietlySum(kafka, group) == 25);
    }

    @Test
    void transactionMarkersAndAbortedRecordsAtTheEndDoNotHoldTheRunOpen(EmbeddedKafka kafka) {
        String topic = unique("bounded-tx");
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, unique("tx")), new StringSerializer(), new StringSerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 5; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            p.flush();
            p.abortTransaction();
        }
        // offsets 0-4 committed records, 5 a commit marker, 6-10 aborted, 11 an abort marker: the end offset is 12,
        // and no record sits at 11
        List<String> keys = KafkaSource.create(stringSource(kafka, topic, unique("g"))
                        .property("isolation.level", "read_committed").untilEndOffsets().build())
                .receive().map(KafkaRecord::key).collectList().block(TIMEOUT);
        assertThat(keys).containsExactly("key-0", "key-1", "key-2", "key-3", "key-4");
    }

    @Test
    void twoConsumersOfOneGroupSplitABoundedRunThroughARebalance(EmbeddedKafka kafka) throws Exception {
        String topic = unique("bounded-rebalance");
        String group = unique("g");
        kafka.createTopic(topic, 4);
        int total = 4000;
        produce(kafka, topic, 0, total);
        KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, group)
                .property("max.poll.records", 50).untilEndOffsets().build());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Map<String, Integer> byConsumer = new ConcurrentHashMap<>();
        // A is slow until B has records, so that B joins while A still has plenty left
        Mono<Long> a = source.receive()
                .delayUntil(r -> byConsumer.containsKey("b") ? Mono.empty()
                        : Mono.delay(Duration.ofMillis(10), Schedulers.single()))
                .doOnNext(r -> {
                    seen.add(r.key());
                    byConsumer.merge("a", 1, Integer::sum);
                    r.ack();
                })
                .count();
        Mono<Long> b = Mono.delay(Duration.ofMillis(500)).then(source.receive()
                .doOnNext(r -> {
                    seen.add(r.key());
                    byConsumer.merge("b", 1, Integer::sum);
                    r.ack();
                })
                .count());
        // both complete: each at the end of the partitions it holds at the end
        Flux.merge(a, b).blockLast(TIMEOUT);
        assertThat(seen).hasSize(total);
        KafkaSourceTest.await(() -> KafkaSourceTest.committedQuietlySum(kafka, group) == total);
    }
}
