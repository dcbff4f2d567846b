package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --until-end}: a topic the app did not load (a "foreign" one) is counted to its end offsets, and the run stops. */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersUntilEndTest {

    @TempDir
    Path dir;

    /**
     * Filled by a plain producer, and by a transactional one: there the topic's last offset is the commit marker of
     * the last transaction, which no consumer is given, so the run must end by its position, not by a record at
     * end - 1.
     */
    @ParameterizedTest(name = "transactional={0}")
    @ValueSource(booleans = {false, true})
    void aForeignTopicIsCountedToItsEndAndTheRunStops(boolean transactional, EmbeddedKafka kafka) throws Exception {
        String topic = "foreign-in-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lines.add(i % 250 == 7 ? "{\"uid\":" : "{\"uid\":\"u" + (i % 89) + "\",\"ts\":" + (1000 + i / 7) + "}");
        }
        // filled by someone else: no load marks
        Map<String, Object> settings = new java.util.HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        if (transactional) {
            settings.put("transactional.id", topic + "-tx");
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            if (transactional) {
                producer.initTransactions();
            }
            for (int i = 0; i < lines.size(); i += 500) {
                if (transactional) {
                    producer.beginTransaction();
                }
                for (String line : lines.subList(i, Math.min(lines.size(), i + 500))) {
                    producer.send(new ProducerRecord<>(topic, line.getBytes(StandardCharsets.UTF_8)));
                }
                if (transactional) {
                    producer.commitTransaction();
                }
            }
        }
        Path output = dir.resolve("out.jsonl");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = UniqueUsersApp.run(new String[] {"--bootstrap-servers=" + kafka.bootstrapServers(),
                        "--input-topic=" + topic, "--output-topic=" + topic + "-out", "--group-id=" + topic + "-g",
                        "--no-progress", "--until-end", "--lateness=0s", "--output-file=" + output},
                new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).doesNotContain("until interrupted");
        List<String> expected = ReferenceModel.run(lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList(),
                60, 0).jsonLines();
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected);
        assertThat(out.toString()).containsPattern("malformed\\s+8\\b");
    }
}
