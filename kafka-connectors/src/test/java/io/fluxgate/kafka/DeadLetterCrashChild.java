package io.fluxgate.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline {@link DeadLetterCrashTest} kills: frames from {@code in} → root-field parse, malformed frames
 * {@linkplain CrashSafeWindows.Rejections#reject rejected} to the topic {@code dlq} ({@link DeadLetters#toTopic}) →
 * unique users per minute → {@code out}, until the end of the input. Run in a child JVM.
 *
 * <p>Arguments: {@code bootstrap in out dlq group killAt held perSecond}: records parsed per second at most (0: no
 * limit), so that windows are acknowledged and committed while the run reads on, as in a live stream (a commit
 * waits for every letter handed over before it, so a run far ahead of its commits has the held letters in each). With {@code killAt > 0} the run hands its first
 * {@code killAt - held} letters to the topic as usual and holds the next {@code held} (handed over, never stored:
 * letters in flight at the crash, which no commit may pass); at letter {@code killAt} it prints
 * {@code KILL-POINT <offset>}, with {@code HELD <offset>} before it for the first held letter, and stops on the
 * parse thread until the test kills it. So the kill comes at a chosen point of the input, not at a moment.
 * {@code killAt 0}: runs to the end and prints {@code DONE <windows>}.
 */
public final class DeadLetterCrashChild {

    private DeadLetterCrashChild() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String in = args[1];
        String out = args[2];
        String dlq = args[3];
        String group = args[4];
        long killAt = Long.parseLong(args[5]);
        long held = Long.parseLong(args[6]);
        long perSecond = Long.parseLong(args[7]);
        AtomicLong parsed = new AtomicLong();
        // from the first record, not the process start: joining the group may take a while
        long[] start = new long[1];
        DeadLetterSink<RejectedRecord> topic = DeadLetters.toTopic(bootstrap, dlq, Map.of());
        AtomicLong handed = new AtomicLong();
        DeadLetterSink<RejectedRecord> letters = DeadLetterSink.ofAsync(letter -> {
            long n = handed.incrementAndGet();
            if (killAt <= 0 || n <= killAt - held) {
                return topic.acceptAsync(letter);
            }
            if (n == killAt - held + 1) {
                signal("HELD " + letter.element().offset());
            }
            if (n == killAt) {
                signal("KILL-POINT " + letter.element().offset());
                for (;;) {
                    LockSupport.park();
                }
            }
            return new CompletableFuture<>();
        }, topic::flush, topic::close);

        RootFrameReader reader = RootFrameReader.ofDefaults();
        KafkaSourceOptions<byte[], ByteBuffer> source = KafkaSourceOptions.builder(new ByteArrayDeserializer(),
                        new ByteBufferDeserializer())
                .bootstrapServers(bootstrap).topics(in).groupId(group)
                .property("group.instance.id", group + "-child")
                .property("max.poll.records", 200)
                .property("fetch.max.wait.ms", 20)
                .deadLetters(letters)
                .build();
        KafkaSink<WindowCount> sink = KafkaSink.builder((WindowCount w) -> Long.toString(w.start()), new StringSerializer(),
                        CrashChild::json, new StringSerializer())
                .bootstrapServers(bootstrap).topic(out).build();
        long windows = CrashSafeWindows.builder(source,
                        (KafkaRecord<byte[], ByteBuffer> r, CrashSafeWindows.Rejections rejections) -> {
                            long n = parsed.incrementAndGet();
                            if (n == 1) {
                                start[0] = System.nanoTime();
                            }
                            if (perSecond > 0 && n % 100 == 0) {
                                long ahead = start[0] + n * 1_000_000_000L / perSecond - System.nanoTime();
                                if (ahead > 0) {
                                    LockSupport.parkNanos(ahead);
                                }
                            }
                            FrameResult result = reader.read(r.value());
                            if (result instanceof FrameResult.Frame f) {
                                return f;
                            }
                            if (result instanceof FrameResult.Malformed m) {
                                rejections.reject(RejectedRecord.ofBuffer(r).letter("parse", m.reason()));
                            }
                            return null;
                        },
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .sink(sink)
                .stopAtEnd(true)
                .commitInterval(Duration.ofMillis(20))
                .build()
                .run()
                .count()
                .block();
        letters.close();
        signal("DONE " + windows);
        System.exit(0);
    }

    private static void signal(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
