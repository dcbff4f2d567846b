package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.stringSource;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A broker restart in the middle of a stream: a sink keeps producing and a source keeps consuming while the
 * (dedicated) broker stops and starts again. Nothing is lost; after dedupe by key, nothing is doubled.
 */
class BrokerRestartTest {

    @Test
    void sinkAndSourceRideOverABrokerRestart() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String topic = "restart";
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(topic, 2);
            int total = 3000;
            Set<String> consumed = ConcurrentHashMap.newKeySet();
            AtomicInteger deliveries = new AtomicInteger();
            KafkaSource<String, String> source = KafkaSource.create(stringSource(kafka, topic, "restart-g")
                    .property("reconnect.backoff.max.ms", 200).build());
            Disposable consumer = source.receive()
                    .retryWhen(reactor.util.retry.Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(200)))
                    .subscribe(r -> {
                        consumed.add(r.key());
                        deliveries.incrementAndGet();
                        r.ack();
                    });
            AtomicInteger sent = new AtomicInteger();
            KafkaSink<Integer> sink = KafkaSink.builder((Integer i) -> "key-" + i, new StringSerializer(),
                            i -> "value-" + i, new StringSerializer())
                    .bootstrapServers(kafka.bootstrapServers()).topic(topic)
                    .property("delivery.timeout.ms", 60_000).property("request.timeout.ms", 5_000)
                    .property("reconnect.backoff.max.ms", 200)
                    .build();
            Disposable producer = Flux.range(0, total)
                    .delayElements(Duration.ofMillis(1), Schedulers.single())
                    .transform(sink)
                    .subscribe(r -> sent.incrementAndGet());
            try {
                KafkaSourceTest.await(() -> sent.get() > total / 3 && consumed.size() > total / 4);
                kafka.stop();
                // no fixed outage slept through: the broker is down once its port refuses connections (the clients'
                // connections are closed with it), and records are still to be sent, so both clients must reconnect
                assertThat(kafka.isRunning()).isFalse();
                assertThat(refusesConnections(bootstrap)).isTrue();
                int sentAtStop = sent.get();
                assertThat(sentAtStop).isLessThan(total);
                kafka.start();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                KafkaSourceTest.await(() -> sent.get() == total);
                KafkaSourceTest.await(() -> consumed.size() == total);
            } finally {
                producer.dispose();
                consumer.dispose();
            }
            assertThat(consumed).hasSize(total);
            for (int i = 0; i < total; i++) {
                assertThat(consumed).contains("key-" + i);
            }
            // at-least-once: redeliveries are possible, and dedupe by key leaves exactly the produced set
            assertThat(deliveries.get()).isGreaterThanOrEqualTo(total);
        }
    }

    private static boolean refusesConnections(String bootstrap) {
        String hostPort = bootstrap.split(",")[0];
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    5_000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
