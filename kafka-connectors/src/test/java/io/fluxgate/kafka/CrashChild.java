package io.fluxgate.kafka;

import java.time.Duration;

import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline {@link CrashSafeWindowsTest} kills: frames from {@code in} → root-field parse → unique users per
 * minute → {@code out}, keyed by window start, until the end of the input. Run in a child JVM.
 */
public final class CrashChild {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration LATENESS = Duration.ofSeconds(5);

    private CrashChild() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String in = args[1];
        String out = args[2];
        String group = args[3];
        RootFrameReader reader = RootFrameReader.ofDefaults();
        KafkaSourceOptions<byte[], byte[]> source = KafkaSourceOptions
                .builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(bootstrap).topics(in).groupId(group)
                // static membership: a restarted child takes over its predecessor's partitions at once
                .property("group.instance.id", group + "-child")
                .property("max.poll.records", 200)
                .build();
        KafkaSink<WindowCount> sink = KafkaSink.builder((WindowCount w) -> Long.toString(w.start()), new StringSerializer(),
                        CrashChild::json, new StringSerializer())
                .bootstrapServers(bootstrap).topic(out).build();
        long windows = CrashSafeWindows.builder(source,
                        (KafkaRecord<byte[], byte[]> r) -> reader.read(r.value()) instanceof FrameResult.Frame f ? f : null,
                        windows())
                .sink(sink)
                .stopAtEnd(true)
                .commitInterval(Duration.ofMillis(50))
                .build()
                .run()
                .count()
                .block();
        System.out.println("DONE " + windows);
        System.exit(0);
    }

    static <R> UniqueUsers.Builder<R> windows(java.util.function.Function<R, FrameResult.Frame> frame) {
        return UniqueUsers.<R>perWindow(WINDOW)
                .userId(r -> frame.apply(r).uid())
                .eventTimeSeconds(r -> frame.apply(r).ts())
                .allowedLateness(LATENESS);
    }

    private static UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows() {
        return windows(KafkaRecord::value);
    }

    static String json(WindowCount w) {
        return "{\"ts\":" + w.start() + ",\"cnt\":" + w.uniqueUsers() + "}";
    }
}
