package io.fluxgate.kafka.share;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one broker of the share-group tests (JUnit classes and the TestNG TCK alike), started on first use with
 * short record locks, closed by the broker's own shutdown hook at the end of the test JVM. Not the shared broker
 * of {@code EmbeddedKafkaExtension}: that one keeps Kafka's 30 s locks, which a lock-expiry test would wait out.
 */
final class ShareTestBroker {

    /** How long the broker locks an acquired record. */
    static final Duration LOCK = Duration.ofSeconds(2);

    private static EmbeddedKafka kafka;
    /** One admin client for all group configs: the TCK configures a new group per publisher. */
    private static Admin admin;

    private ShareTestBroker() {
    }

    static synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            Map<String, String> props = new HashMap<>(EmbeddedKafka.shareGroupProperties(LOCK));
            // a new member gets its assignment with its second heartbeat: the TCK makes a hundred of them
            props.put("group.share.heartbeat.interval.ms", "100");
            kafka = new EmbeddedKafka(props).start();
        }
        return kafka;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new one-partition topic and a share group reading it from its start. */
    static String[] topicAndGroup(String prefix) {
        String topic = unique(prefix);
        String group = unique(prefix + "-g");
        kafka().createTopic(topic, 1);
        kafka().alterGroupConfig(group, Map.of("share.auto.offset.reset", "earliest"));
        return new String[] {topic, group};
    }

    static void earliest(String group) {
        try {
            admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not configure share group " + group, e);
        }
    }

    private static synchronized Admin admin() {
        if (admin == null) {
            admin = kafka().admin();
        }
        return admin;
    }

    static void produce(String topic, List<String> values) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                p.send(new ProducerRecord<>(topic, v, v));
            }
            p.flush();
        }
    }

    static KafkaShareSourceOptions.Builder<String, String> options(String topic, String group) {
        return KafkaShareSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(kafka().bootstrapServers())
                .topics(topic)
                .groupId(group)
                .commitInterval(Duration.ofMillis(50))
                .closeTimeout(Duration.ofSeconds(5));
    }

    /** A plain share consumer of the group in explicit mode: the broker's view, independent of the code under test. */
    static KafkaShareConsumer<String, String> plainConsumer(String topic, String group, int maxPollRecords) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", kafka().bootstrapServers());
        p.put("group.id", group);
        p.put("share.acknowledgement.mode", "explicit");
        p.put("max.poll.records", maxPollRecords);
        p.put("share.acquire.mode", "record_limit");
        KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Waits until the share group has {@code members} members, each with an assignment. */
    static void awaitMembers(String group, int members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = kafka().admin()) {
            while (true) {
                ShareGroupDescription d;
                try {
                    d = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                    // no member has joined yet
                    Thread.sleep(20);
                    continue;
                }
                if (d.members().size() >= members
                        && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("share group " + group + " has " + d.members().size() + " members, not "
                            + members);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Describes a record as the tests compare them. */
    static String describe(ConsumerRecord<String, String> r) {
        return r.value() + "#" + r.deliveryCount().orElse((short) 0);
    }

    static void ack(KafkaShareConsumer<String, String> c, ConsumerRecord<String, String> r, AcknowledgeType type) {
        c.acknowledge(r, type);
    }
}
