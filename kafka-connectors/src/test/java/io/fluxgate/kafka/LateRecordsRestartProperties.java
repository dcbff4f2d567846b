package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Late records in several partitions, across a crash and a restart, in per-partition mode: for random input (each
 * partition's event times wander forward and now and then jump back beyond the lateness) and a random crash point
 * (the first run is cancelled, without a flush, once the sink has acknowledged {@code k} windows and a commit is
 * visible), the windows
 * written by both runs (last write wins) equal a reference model: per partition, each one-minute window counts the
 * distinct users of the records that were not late on arrival, where a record is late when the partition's largest
 * event time so far, less the 5 s lateness, has reached its window's end. The restart must judge lateness against
 * the committed maximum event time, or records late before the crash are counted after it (or the reverse).
 */
class LateRecordsRestartProperties {

    private static final long BASE = 1_700_000_040L; // a minute boundary
    private static final long LATENESS = CrashChild.LATENESS.toSeconds();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafka kafka;

    @BeforeContainer
    static void startBroker() {
        kafka = new EmbeddedKafka().start();
    }

    @AfterContainer
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One record: a user and a step of event time from the partition's previous record. */
    record Step(int user, int seconds) {
    }

    @Provide
    Arbitrary<List<List<Step>>> partitions() {
        // mostly forward (0-15 s), one in six back 6-40 s: beyond the 5 s lateness unless the window is still open
        Arbitrary<Integer> forward = Arbitraries.integers().between(0, 15);
        Arbitrary<Integer> back = Arbitraries.integers().between(-40, -6);
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, forward), net.jqwik.api.Tuple.of(1, back)))
                .as(Step::new);
        // each partition ends with a record 70 s on (a full window plus the lateness), so every partition's watermark
        // passes the first window and the run closes windows before its end: without it most inputs (an empty
        // partition holds every window open) were rejected by the assumption below, and six tries could all be
        // rejected ("exhausted"), failing the property without a counterexample
        return step.list().ofMinSize(0).ofMaxSize(60)
                .map(p -> {
                    List<Step> closed = new ArrayList<>(p);
                    closed.add(new Step(0, 70));
                    return closed;
                })
                .list().ofMinSize(2).ofMaxSize(3);
    }

    @Property(tries = 6)
    void windowsAfterACrashAndRestartMatchTheModel(@ForAll("partitions") List<List<Step>> input,
                                                   @ForAll @IntRange(min = 1, max = 6) int acksBeforeCrash) {
        String in = KafkaTestSupport.unique("late-restart");
        String group = in + "-g";
        kafka.createTopic(in, input.size());
        List<List<long[]>> frames = frames(input);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int p = 0; p < frames.size(); p++) {
            for (long[] f : frames.get(p)) {
                records.add(new ProducerRecord<>(in, p, null, "{\"uid\":\"u" + f[0] + "\",\"ts\":" + f[1] + "}"));
            }
        }
        KafkaTestSupport.produceRecords(kafka, records);

        Map<String, Long> written = new ConcurrentHashMap<>();
        // the first run: cancelled (as in a crash: no flush) once the sink has acknowledged k windows and a commit
        // of it is visible, so that the restart resumes mid-input from a committed checkpoint
        int closable = closable(frames);
        net.jqwik.api.Assume.that(closable > 0);
        int k = Math.min(acksBeforeCrash, closable);
        AtomicInteger acked = new AtomicInteger();
        reactor.core.Disposable first = job(in, group, written, false).run()
                .subscribe(w -> acked.incrementAndGet());
        try {
            KafkaSourceTest.await(() -> acked.get() >= k && !CrashSafeCommitsTest.committed(kafka, group).isEmpty());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            first.dispose();
        }
        // the restart, to the end of input
        job(in, group, written, true).run().blockLast(TIMEOUT);

        assertThat(written).isEqualTo(model(frames));
    }

    private static CrashSafeWindows<byte[], FrameResult, FrameResult.Frame> job(String in, String group,
                                                                                Map<String, Long> written,
                                                                                boolean stopAtEnd) {
        return CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new FrameDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(in).groupId(group)
                                .property("max.poll.records", 7)
                                .build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)))
                .perPartition(true)
                .stopAtEnd(stopAtEnd)
                .commitInterval(Duration.ofMillis(20))
                .sink(windows -> windows.doOnNext(w -> written.put(
                        CrashSafeWindows.partitionOf(w).partition() + "/" + w.start(), w.uniqueUsers())))
                .build();
    }

    /** Per partition, (user, event time) of each record, the times a walk from {@link #BASE}. */
    private static List<List<long[]>> frames(List<List<Step>> input) {
        List<List<long[]>> out = new ArrayList<>();
        for (List<Step> steps : input) {
            List<long[]> frames = new ArrayList<>();
            long ts = BASE;
            for (Step s : steps) {
                ts = Math.max(BASE, ts + s.seconds());
                frames.add(new long[] {s.user(), ts});
            }
            out.add(frames);
        }
        return out;
    }

    /** Windows the operator emits before the end of input (closed by the watermark): all the first run can ack. */
    private static int closable(List<List<long[]>> frames) {
        Map<String, Long> windows = model(frames);
        int n = 0;
        for (int p = 0; p < frames.size(); p++) {
            long max = frames.get(p).stream().mapToLong(f -> f[1]).max().orElse(Long.MIN_VALUE);
            for (String key : windows.keySet()) {
                long start = Long.parseLong(key.substring(key.indexOf('/') + 1));
                if (key.startsWith(p + "/") && start + 60 <= max - LATENESS) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The reference model: per partition and window, the distinct users of the records not late on arrival. */
    static Map<String, Long> model(List<List<long[]>> frames) {
        Map<String, Set<Long>> users = new TreeMap<>();
        for (int p = 0; p < frames.size(); p++) {
            long max = Long.MIN_VALUE;
            for (long[] f : frames.get(p)) {
                max = Math.max(max, f[1]);
                long start = Math.floorDiv(f[1], 60) * 60;
                if (max - LATENESS >= start + 60) {
                    continue; // late
                }
                users.computeIfAbsent(p + "/" + start, k -> new HashSet<>()).add(f[0]);
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        users.forEach((k, v) -> counts.put(k, (long) v.size()));
        return counts;
    }
}
