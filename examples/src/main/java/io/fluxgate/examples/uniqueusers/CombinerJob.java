package io.fluxgate.examples.uniqueusers;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The combiner of a scaled-out run: reads the partials topic from its beginning, feeds a {@link PartialCombiner},
 * and writes each complete window to the output as the single-instance app would. It keeps no state of its own:
 * after a crash it reads the partials again and writes the same windows again (the output is keyed by window, the
 * last write wins), so any number of combiners may run, each writing the same values, and any one of them that
 * survives finishes the job.
 *
 * <p>Whether an input partition is done comes from Kafka itself: a worker commits a partition at its end offset
 * only after that partition's last partials are acknowledged, so once the workers' group has committed a partition
 * at (or beyond) the end offset it had when the input was loaded (or the partition is empty), the combiner reads the
 * partials topic up to its current end and then counts the partition as done. With a bounded input the combiner
 * returns once every partition is done and every window is written; with an unbounded one it runs until stopped.
 */
final class CombinerJob {

    private static final Duration DONE_CHECK = Duration.ofMillis(250);

    private final String bootstrapServers;
    private final String partialsTopic;
    private final String inputTopic;
    private final String workerGroup;
    private final Topics topics;
    private final Map<TopicPartition, Long> inputEnds;
    private final PartialCombiner combiner;
    private final List<Duration> sizes;
    private final Function<Flux<WindowCount>, Flux<WindowCount>> write;

    /**
     * @param inputEnds the input's end offsets when it is bounded (its partitions are done at these), or null to
     *                  run until stopped
     * @param write     writes the complete windows, emitting each once it is written
     */
    CombinerJob(String bootstrapServers, String partialsTopic, String inputTopic, String workerGroup, Topics topics,
                int inputPartitions, Map<TopicPartition, Long> inputEnds, boolean approximate, List<Duration> sizes,
                Function<Flux<WindowCount>, Flux<WindowCount>> write) {
        this.bootstrapServers = bootstrapServers;
        this.partialsTopic = partialsTopic;
        this.inputTopic = inputTopic;
        this.workerGroup = workerGroup;
        this.topics = topics;
        this.inputEnds = inputEnds;
        this.combiner = new PartialCombiner(inputPartitions, approximate);
        this.sizes = sizes;
        this.write = write;
    }

    /**
     * Combines until done (bounded input) or forever, writing each complete window.
     *
     * @param check runs before each poll; what it throws stops the combiner (e.g. a failed worker beside it)
     * @param stopped true once a graceful stop is requested: the windows complete so far are written, then it returns
     * @return the number of windows written
     */
    long run(Runnable check, java.util.function.BooleanSupplier stopped) {
        Sinks.Many<WindowCount> out = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Long> written = out.asFlux().transform(write).count().toFuture();
        TopicPartition tp = new TopicPartition(partialsTopic, 0);
        Map<TopicPartition, Long> inputStarts = inputEnds == null ? Map.of() : topics.startOffsets(inputTopic);
        Map<Integer, Long> doneAt = new HashMap<>();
        long nextCheck = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ResultFile.readerProperties(bootstrapServers))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while ((inputEnds == null || !combiner.finished()) && !stopped.getAsBoolean()) {
                check.run();
                if (written.isDone()) {
                    written.join(); // the writer failed: rethrows its error
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        PartialCombiner.Partial partial = Partials.parse(r.value(), workerGroup);
                        if (partial != null) {
                            combiner.accept(partial);
                        }
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException("topic " + partialsTopic + " at offset " + r.offset() + ": "
                                + e.getMessage(), e);
                    }
                }
                long position = consumer.position(tp);
                if (inputEnds != null && System.nanoTime() >= nextCheck) {
                    nextCheck = System.nanoTime() + DONE_CHECK.toNanos();
                    Set<Integer> newlyDone = newlyDone(topics.committed(workerGroup), inputStarts, doneAt);
                    if (!newlyDone.isEmpty()) {
                        // everything the workers wrote for these partitions is below the end read now
                        long end = consumer.endOffsets(List.of(tp)).get(tp);
                        newlyDone.forEach(p -> doneAt.put(p, end));
                    }
                }
                doneAt.entrySet().removeIf(e -> {
                    if (position >= e.getValue()) {
                        combiner.partitionDone(e.getKey());
                        return true;
                    }
                    return false;
                });
                for (PartialCombiner.Combined c : combiner.drain()) {
                    Sinks.EmitResult result = out.tryEmitNext(windowCount(c));
                    if (result.isFailure()) {
                        written.join(); // the writer is gone: rethrows its error
                        throw new IllegalStateException("could not hand window " + c.start() + " to the writer: " + result);
                    }
                }
            }
        } catch (RuntimeException e) {
            out.tryEmitError(e);
            throw e;
        }
        out.tryEmitComplete();
        return written.join();
    }

    /** Input partitions committed at their end (or empty) that are not done or waiting to be yet. */
    private Set<Integer> newlyDone(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> starts,
                                   Map<Integer, Long> waiting) {
        Set<Integer> done = new java.util.HashSet<>();
        inputEnds.forEach((p, end) -> {
            long position = committed.getOrDefault(p, starts.getOrDefault(p, 0L));
            if (position >= end && !combiner.isDone(p.partition()) && !waiting.containsKey(p.partition())) {
                done.add(p.partition());
            }
        });
        return done;
    }

    private WindowCount windowCount(PartialCombiner.Combined c) {
        Duration size = Duration.ofSeconds(c.sizeSeconds());
        if (!sizes.contains(size)) {
            throw new IllegalStateException("the workers count windows of " + DurationConverter.format(size)
                    + ", this combiner " + sizes.stream().map(DurationConverter::format).toList()
                    + ": give it the workers' --window flags");
        }
        return new WindowCount(c.start(), c.start() + c.sizeSeconds(), size, ChronoUnit.SECONDS, c.users(), c.events(),
                0, c.sketch(), WindowStats.Snapshot.EMPTY, null);
    }
}
