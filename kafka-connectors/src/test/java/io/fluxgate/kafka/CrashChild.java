package io.fluxgate.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline {@link CrashSafeWindowsTest} kills: frames from {@code in} → root-field parse → unique users per
 * minute → {@code out}, keyed by window start, until the end of the input. Run in a child JVM.
 *
 * <p>Arguments: {@code bootstrap in out group parseThreads [idleMillis fetchBytes framesPerSecond]} (idleMillis 0: no
 * idle timeout): parse threads
 * as in {@link CrashSafeWindows.Builder#parseParallelism(int)} (1: the default hand-off to one thread of the run;
 * more: parallel parse batches put back in order), the values views of the fetched batches
 * ({@code ByteBufferDeserializer}); or 0: the frames read by the value deserializer
 * ({@link FrameDeserializer}) inside the consumer's poll. The optional three are for
 * several input partitions: the partition idle timeout, the consumer's {@code max.partition.fetch.bytes} (small,
 * so that partitions interleave in chunks of a few hundred records and none looks idle while another's chunk is
 * read), and a pace that keeps the run long enough to be killed a few times. The consumer waits at most 20 ms for
 * an empty fetch.
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
        int parseThreads = Integer.parseInt(args[4]);
        Duration idle = args.length > 5 && Long.parseLong(args[5]) > 0 ? Duration.ofMillis(Long.parseLong(args[5])) : null;
        int fetchBytes = args.length > 6 ? Integer.parseInt(args[6]) : 1024 * 1024;
        Pace pace = new Pace(args.length > 7 ? Long.parseLong(args[7]) : 0);
        RootFrameReader reader = RootFrameReader.ofDefaults();
        if (parseThreads == 0) {
            run(source(new FrameDeserializer(reader), bootstrap, in, group, fetchBytes), r -> {
                pace.one();
                return r.value() instanceof FrameResult.Frame f ? f : null;
            }, 1, bootstrap, out, idle);
        } else {
            run(source(new org.apache.kafka.common.serialization.ByteBufferDeserializer(), bootstrap, in, group, fetchBytes), r -> {
                pace.one();
                return reader.read(r.value()) instanceof FrameResult.Frame f ? f : null;
            }, parseThreads, bootstrap, out, idle);
        }
    }

    private static <V> KafkaSourceOptions<byte[], V> source(org.apache.kafka.common.serialization.Deserializer<V> values,
                                                            String bootstrap, String in, String group, int fetchBytes) {
        return KafkaSourceOptions.builder(new ByteArrayDeserializer(), values)
                .bootstrapServers(bootstrap).topics(in).groupId(group)
                // static membership: a restarted child takes over its predecessor's partitions at once
                .property("group.instance.id", group + "-child")
                .property("max.poll.records", 200)
                .property("max.partition.fetch.bytes", fetchBytes)
                // the idle partition's fetch finds nothing and waits fetch.max.wait.ms at the broker, and the busy
                // partitions' next fetch waits behind it (one fetch in flight per broker): 500 ms of that per few
                // hundred records made the run four times slower than its pace
                .property("fetch.max.wait.ms", 20)
                .groupProtocol(GroupProtocol.valueOf(System.getProperty(GroupProtocols.PROPERTY, "CLASSIC")))
                // the test's kill point (-Dfluxgate.test.killAfterCommits); inert without it
                .property("interceptor.classes", KillPointInterceptor.class.getName())
                .build();
    }

    private static <V> void run(KafkaSourceOptions<byte[], V> source,
                                java.util.function.Function<KafkaRecord<byte[], V>, FrameResult.Frame> parse,
                                int parseThreads, String bootstrap, String out, Duration idle) {
        KafkaSink<WindowCount> sink = KafkaSink.builder((WindowCount w) -> Long.toString(w.start()), new StringSerializer(),
                        CrashChild::json, new StringSerializer())
                .bootstrapServers(bootstrap).topic(out).build();
        long windowCount = CrashSafeWindows.builder(source, parse, CrashSafeWindows.tracking(() -> {
                    UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows = windows();
                    return idle == null ? windows : windows.partitionIdleTimeout(idle);
                }))
                .sink(sink)
                .parseParallelism(parseThreads)
                .stopAtEnd(true)
                .commitInterval(Duration.ofMillis(50))
                .build()
                .run()
                .count()
                .block();
        System.out.println("DONE " + windowCount);
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

    /** At most {@code perSecond} records per second over the run (0: no limit); called from the parse threads. */
    private static final class Pace {
        private final long perSecond;
        private final AtomicLong count = new AtomicLong();
        /** From the first record, not from the JVM's start: no burst to catch up on the start-up time. */
        private volatile long start;

        Pace(long perSecond) {
            this.perSecond = perSecond;
        }

        void one() {
            long n = count.incrementAndGet();
            if (n == 1) {
                start = System.nanoTime();
            }
            if (perSecond > 0 && n % 100 == 0) {
                long ahead = start + n * 1_000_000_000L / perSecond - System.nanoTime();
                if (ahead > 0) {
                    LockSupport.parkNanos(ahead);
                }
            }
        }
    }

    static String json(WindowCount w) {
        return "{\"ts\":" + w.start() + ",\"cnt\":" + w.uniqueUsers() + "}";
    }
}
