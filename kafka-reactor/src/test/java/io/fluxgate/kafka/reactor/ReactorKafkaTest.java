package io.fluxgate.kafka.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSinkException;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaTestSupport;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.test.StepVerifier;

/** reactor-kafka behind KafkaSource and KafkaSink, against the real embedded broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ReactorKafkaTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static KafkaSender<String, String> sender(EmbeddedKafka kafka) {
        return KafkaSender.create(SenderOptions.<String, String>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all"))
                .withKeySerializer(new StringSerializer()).withValueSerializer(new StringSerializer()));
    }

    private static ReceiverOptions<String, String> receiver(EmbeddedKafka kafka, String topic, String group) {
        return ReceiverOptions.<String, String>create(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))
                .withKeyDeserializer(new StringDeserializer()).withValueDeserializer(new StringDeserializer())
                .commitBatchSize(1).commitInterval(Duration.ofMillis(100))
                .subscription(List.of(topic));
    }

    @Test
    void roundTripThroughOurApiOnReactorKafka(EmbeddedKafka kafka) throws Exception {
        String topic = unique("rk");
        String group = unique("g");
        kafka.createTopic(topic, 2);
        KafkaSender<String, String> sender = sender(kafka);
        try {
            KafkaSink<Integer> sink = ReactorKafka.sink(sender, (Integer i) -> new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            List<SendResult<Integer>> results = Flux.range(0, 200).transform(sink).collectList().block(TIMEOUT);
            assertThat(results).extracting(SendResult::element).containsExactlyInAnyOrderElementsOf(
                    Flux.range(0, 200).collectList().block());
            assertThat(results).allMatch(SendResult::isSent).allMatch(r -> r.topic().equals(topic));
        } finally {
            sender.close();
        }

        KafkaSource<String, String> source = ReactorKafka.source(receiver(kafka, topic, group));
        List<KafkaRecord<String, String>> got = source.receive().doOnNext(KafkaRecord::ack).take(200)
                .collectList().block(TIMEOUT);
        assertThat(got).extracting(KafkaRecord::key).doesNotHaveDuplicates().hasSize(200);
        assertThat(got).allMatch(r -> r.value().equals(r.key().replace("key", "value")));
        assertThat(source.receivedCount()).isEqualTo(200);
        assertThat(KafkaTestSupport.committed(kafka, group).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
    }

    @Test
    void outOfOrderAcknowledgementsCommitOnlyTheContiguousPrefix(EmbeddedKafka kafka) throws Exception {
        String topic = unique("rk-prefix");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        KafkaSender<String, String> sender = sender(kafka);
        try {
            Flux.range(0, 20).transform(ReactorKafka.sink(sender, (Integer i) -> new ProducerRecord<>(topic, "k" + i, "v" + i)))
                    .blockLast(TIMEOUT);
        } finally {
            sender.close();
        }
        List<KafkaRecord<String, String>> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable d = ReactorKafka.source(receiver(kafka, topic, group)).receive().subscribe(held::add);
        try {
            await(() -> held.size() == 20);
            for (int i = 19; i >= 8; i--) {
                held.get(i).ack();
            }
            for (int i = 0; i < 7; i++) {
                held.get(i).ack();
            }
            await(() -> committedQuietly(kafka, group) == 7L);
            Thread.sleep(300); // reactor-kafka alone would commit 20 here: the adapter holds at the gap
            assertThat(committedQuietly(kafka, group)).isEqualTo(7L);
            held.get(7).ack();
            await(() -> committedQuietly(kafka, group) == 20L);
        } finally {
            d.dispose();
        }
    }

    @Test
    void aFailedElementFailsTheSinkNamingIt(EmbeddedKafka kafka) {
        String topic = unique("rk-big");
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", "20000"));
        KafkaSender<String, String> sender = KafkaSender.create(SenderOptions.<String, String>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all"))
                .withKeySerializer(new StringSerializer()).withValueSerializer(new StringSerializer())
                .stopOnError(false));
        try {
            String big = "x".repeat(30_000);
            StepVerifier.create(Flux.just("ok", big).transform(ReactorKafka.sink(sender, (String s) -> new ProducerRecord<>(topic, s))))
                    .assertNext(r -> assertThat(r.element()).isEqualTo("ok"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KafkaSinkException.class)
                            .satisfies(x -> assertThat(((KafkaSinkException) x).element()).isEqualTo(big)))
                    .verify(TIMEOUT);
        } finally {
            sender.close();
        }
    }

    private static long committedQuietly(EmbeddedKafka kafka, String group) {
        try {
            return KafkaTestSupport.committed(kafka, group).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + TIMEOUT);
            }
            Thread.sleep(20);
        }
    }
}
