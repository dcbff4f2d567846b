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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --until-end}: a topic the app did not load (a "foreign" one) is counted to its end offsets, and the run stops. */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersUntilEndTest {

    @TempDir
    Path dir;

    @Test
    void aForeignTopicIsCountedToItsEndAndTheRunStops(EmbeddedKafka kafka) throws Exception {
        String topic = "foreign-in-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lines.add(i % 250 == 7 ? "{\"uid\":" : "{\"uid\":\"u" + (i % 89) + "\",\"ts\":" + (1000 + i / 7) + "}");
        }
        // filled by someone else: no load marks
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(topic, line.getBytes(StandardCharsets.UTF_8)));
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
