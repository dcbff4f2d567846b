package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/**
 * A sink that acknowledges windows with copies of them (a serializing store, a mapping stage) still gets every
 * commit: an acknowledgement is matched by the window and the checkpoint it carries, not by instance. A copy that
 * lost its checkpoint fails the run with a message saying so, rather than silently stopping the commits.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsCopyingSinkTest {

    @ParameterizedTest(name = "perPartition={0}")
    @ValueSource(booleans = {false, true})
    void aSinkThatEmitsCopiesGetsItsCommits(boolean perPartition, EmbeddedKafka kafka) throws Exception {
        String in = KafkaTestSupport.unique("copying-in");
        kafka.createTopic(in, 1);
        List<String> frames = frames(new Random(9), 3_000);
        KafkaTestSupport.produceRaw(kafka, in, frames);

        Map<Long, Long> out = new ConcurrentHashMap<>();
        StepVerifier.create(windows(kafka, in, perPartition)
                        .sink(ws -> ws.map(CrashSafeWindowsCopyingSinkTest::copy)
                                .doOnNext(w -> out.put(w.start(), w.uniqueUsers())))
                        .build()
                        .run())
                .thenConsumeWhile(w -> true)
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        assertThat(out).isEqualTo(CrashSafeWindowsTest.uninterrupted(frames));
        // every record accounted for: the last checkpoint (one operator) or the partition's end (per partition)
        assertThat(KafkaTestSupport.committed(kafka, in + "-g")).containsEntry(new TopicPartition(in, 0),
                (long) frames.size());
    }

    @ParameterizedTest(name = "perPartition={0}")
    @ValueSource(booleans = {false, true})
    void aCopyWithoutItsCheckpointFailsTheRun(boolean perPartition, EmbeddedKafka kafka) {
        String in = KafkaTestSupport.unique("copying-lost");
        kafka.createTopic(in, 1);
        KafkaTestSupport.produceRaw(kafka, in, frames(new Random(10), 1_000));

        StepVerifier.create(windows(kafka, in, perPartition)
                        .sink(ws -> ws.map(w -> new WindowCount(w.start(), w.end(), w.size(), w.unit(),
                                w.uniqueUsers(), w.events(), w.revision(), null, w.stats(), null)))
                        .build()
                        .run())
                .thenConsumeWhile(w -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("without its checkpoint"))
                .verify(Duration.ofSeconds(60));
    }

    /** A copy of a window with everything it carries (as a store that reads back what it wrote would make). */
    private static WindowCount copy(WindowCount w) {
        return new WindowCount(w.start(), w.end(), w.size(), w.unit(), w.uniqueUsers(), w.events(), w.revision(),
                w.sketch().orElse(null), w.stats(), w.checkpoint().orElse(null));
    }

    private static CrashSafeWindows.Builder<byte[], FrameResult, FrameResult.Frame> windows(
            EmbeddedKafka kafka, String in, boolean perPartition) {
        return CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new FrameDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(in + "-g").build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(
                                () -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .perPartition(perPartition)
                .commitInterval(Duration.ZERO)
                .stopAtEnd(true);
    }

    /** Frames over ~5 minutes. */
    private static List<String> frames(Random rnd, int n) {
        List<String> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long ts = 1_700_000_000L + i * 300L / n - rnd.nextInt(3);
            frames.add("{\"uid\":\"u" + rnd.nextInt(400) + "\",\"ts\":" + ts + "}");
        }
        return frames;
    }
}
