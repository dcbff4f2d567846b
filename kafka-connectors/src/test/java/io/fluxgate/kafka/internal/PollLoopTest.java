package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.management.ObjectName;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * {@link PollLoop} against a real broker. The poll timeout is 30 s throughout, so that anything that completes in
 * time was woken up, not picked up by the next poll.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class PollLoopTest {

    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.kafka.GroupProtocols#available")
    void withoutDemandPausesAndStaysInTheGroupPastMaxPollInterval(GroupProtocol protocol, EmbeddedKafka kafka) throws Exception {
        String topic = topic(kafka, 3_000);
        String clientId = topic + "-c";
        Map<String, Object> config = new java.util.HashMap<>(Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 1_500,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.name().toLowerCase(java.util.Locale.ROOT),
                ConsumerConfig.CLIENT_ID_CONFIG, clientId));
        // the classic protocol's heartbeat is the client's setting; the consumer protocol's is the broker's (0.5 s in
        // the embedded broker) and the client refuses the setting
        boolean classic = protocol == GroupProtocol.CLASSIC;
        if (classic) {
            config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        }
        Setup setup = new Setup(kafka, topic, config);
        PollLoop<String, String> loop = new PollLoop<>(setup, POLL_TIMEOUT, "fluxgate-kafka-poll-test");
        Batches batches = new Batches();
        loop.batches().subscribe(batches);
        try {
            batches.request(1);
            assertThat(batches.next().count()).isPositive();
            // no demand for several max.poll.interval.ms: a loop that stopped polling would be put out of the group
            // (its heartbeats stop then) and assigned again on its next poll. Observed, not slept: the member keeps
            // heartbeating in the group for 4 s of heartbeats (20 at 200 ms, or 8 at the consumer protocol's 0.5 s),
            // well past the 1.5 s interval.
            double beats = heartbeats(clientId);
            int more = classic ? 20 : 8;
            awaitCondition(() -> heartbeats(clientId) >= beats + more);
            assertThat(batches.received).isEmpty();
            assertThat(loop.call(c -> c.paused().size()).block(Duration.ofSeconds(5))).isEqualTo(1);
            batches.request(2);
            assertThat(batches.next().count()).isPositive();
            assertThat(batches.next().count()).isPositive();
            assertThat(setup.assignments.get()).isEqualTo(1);
            assertThat(setup.revocations.get()).isZero();
        } finally {
            batches.dispose();
        }
        assertThat(setup.closed.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void callsRunOnTheLoopThreadAndCancelClosesTheConsumerThere(EmbeddedKafka kafka) throws Exception {
        String topic = topic(kafka, 10);
        Setup setup = new Setup(kafka, topic, Map.of());
        PollLoop<String, String> loop = new PollLoop<>(setup, POLL_TIMEOUT, "fluxgate-kafka-poll-test");
        Batches batches = new Batches();
        loop.batches().subscribe(batches);
        batches.request(1);
        assertThat(batches.next().count()).isPositive();

        // paused (no demand) in a 30 s poll: the call wakes it
        assertThat(loop.call(c -> Thread.currentThread().getName()).block(Duration.ofSeconds(10)))
                .isEqualTo("fluxgate-kafka-poll-test");
        assertThat(loop.call(c -> {
            c.commitSync(Map.of(new TopicPartition(topic, 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(10)));
            return c.committed(java.util.Set.of(new TopicPartition(topic, 0))).get(new TopicPartition(topic, 0)).offset();
        }).block(Duration.ofSeconds(10))).isEqualTo(10L);
        assertThatThrownBy(() -> loop.call(c -> {
            throw new IllegalArgumentException("boom");
        }).block(Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");

        batches.dispose();
        assertThat(setup.closed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(setup.closedOn.get()).isEqualTo("fluxgate-kafka-poll-test");
        assertThatThrownBy(() -> loop.call(c -> 1).block(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class).hasMessage("consumer closed");
    }

    /** The consumer's heartbeats so far, from its JMX metrics (read from this thread without touching the consumer). */
    private static double heartbeats(String clientId) {
        try {
            Object v = ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,client-id=" + clientId),
                    "heartbeat-total");
            return ((Number) v).doubleValue();
        } catch (javax.management.InstanceNotFoundException e) {
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String topic(EmbeddedKafka kafka, int records) {
        String topic = "poll-loop-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
        }
        return topic;
    }

    private static final class Setup implements PollLoop.Setup<String, String> {
        final AtomicInteger assignments = new AtomicInteger();
        final AtomicInteger revocations = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<String> closedOn = new AtomicReference<>();
        private final EmbeddedKafka kafka;
        private final String topic;
        private final Map<String, Object> extra;

        Setup(EmbeddedKafka kafka, String topic, Map<String, Object> extra) {
            this.kafka = kafka;
            this.topic = topic;
            this.extra = extra;
        }

        @Override
        public Consumer<String, String> create() {
            Map<String, Object> props = new java.util.HashMap<>(extra);
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-g");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        }

        @Override
        public void subscribe(Consumer<String, String> consumer, ConsumerRebalanceListener listener) {
            consumer.subscribe(List.of(topic), listener);
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            assignments.incrementAndGet();
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            revocations.incrementAndGet();
        }

        @Override
        public void closed(Consumer<String, String> consumer) {
            closedOn.set(Thread.currentThread().getName());
            closed.countDown();
        }
    }

    /** Requests only when told to; hands the batches over to the test thread. */
    private static final class Batches extends BaseSubscriber<PollLoop.Batch<String, String>> {
        final BlockingQueue<ConsumerRecords<String, String>> received = new ArrayBlockingQueue<>(100);

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        @Override
        protected void hookOnNext(PollLoop.Batch<String, String> batch) {
            received.add(batch.records());
        }

        ConsumerRecords<String, String> next() throws InterruptedException {
            ConsumerRecords<String, String> b = received.poll(20, TimeUnit.SECONDS);
            assertThat(b).as("a batch within 20 s").isNotNull();
            return b;
        }
    }
}
