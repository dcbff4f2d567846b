package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.committed;
import static io.fluxgate.kafka.KafkaTestSupport.produceRaw;
import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.JsonSerde;
import io.fluxgate.outcome.DeadLetterSink;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue #17, source side: letters are stored concurrently up to the bound, and nothing is committed past one not stored. */
@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaSourceDeadLetterConcurrencyTest {

    @Test
    void lettersAreStoredConcurrentlyUpToTheBoundAndCommitsWaitForThem(EmbeddedKafka kafka) throws Exception {
        String topic = unique("src-letters");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            values.add("{bad " + i);
        }
        values.add("{\"x\":1}");
        produceRaw(kafka, topic, values);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger stored = new AtomicInteger();
        // a store that answers a while later, as a remote one does
        DeadLetterSink<Object> slow = DeadLetterSink.ofAsync(letter -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return CompletableFuture.runAsync(() -> {
                inFlight.decrementAndGet();
                stored.incrementAndGet();
            }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        });
        int bound = 16;
        KafkaSource<String, Map> source = KafkaSource.create(
                KafkaSourceOptions.builder(new StringDeserializer(), JsonSerde.deserializer(Map.class))
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(group)
                        .commitInterval(Duration.ofMillis(100)).deadLetters(slow).deadLettersInFlight(bound).untilEndOffsets().build());
        List<Map> good = source.receive().doOnNext(KafkaRecord::ack).map(KafkaRecord::value).collectList()
                .block(Duration.ofSeconds(60));

        assertThat(good).containsExactly(Map.of("x", 1));
        assertThat(maxInFlight.get()).as("letters in flight at once; rejected " + source.rejectedCount() + ", stored " + stored.get() + ", received " + source.receivedCount()).isGreaterThan(1).isLessThanOrEqualTo(bound);
        // the run waits for its letters before it closes: all stored, everything committed
        KafkaSourceTest.await(() -> KafkaSourceTest.committedQuietlySum(kafka, group) == 201);
        assertThat(stored.get()).isEqualTo(200);
        assertThat(committed(kafka, group)).containsEntry(new TopicPartition(topic, 0), 201L);
    }
}
