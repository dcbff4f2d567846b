package io.fluxgate.examples.workqueue;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.examples.Cli;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.share.KafkaShareSource;
import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import io.fluxgate.kafka.share.ShareOutcomes;
import io.fluxgate.kafka.share.ShareRecord;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.workers.Workers;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A work queue on a Kafka share group (issue #25): jobs on a topic with one partition, several instances of the
 * pipeline (each a member of the share group) with more workers each than there are partitions. Per job: fetch
 * (an asynchronous call, retried per element), enrich, write the result to a results topic, then accept the job;
 * a failed job is released for another delivery, and after {@code --max-deliveries} deliveries it is rejected and
 * lands in the dead-letter topic. One poison job always fails its fetch.
 */
@Command(name = "work-queue", mixinStandardHelpOptions = true, version = "fluxgate work-queue 0.1.0",
        sortOptions = false, usageHelpWidth = 110,
        description = {"A work queue on a Kafka share group: fetch, enrich, write, with a poison job dead-lettered.",
            "With no flags: starts an embedded broker, queues 2,000 jobs (one poison), runs 2 instances of 8 workers"
                + " on a one-partition topic and prints where every job went."},
        exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 1)
public final class WorkQueueApp implements Callable<Integer> {

    /** The job whose fetch always fails. */
    static final String POISON = "job-poison";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka 4.2+ cluster with share groups. Default: an embedded single-node broker.")
    String bootstrapServers;

    @Option(names = "--jobs", defaultValue = "2000", description = "Jobs to queue, the poison one included. Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--instances", defaultValue = "2", description = "Pipeline instances (share group members). Default: ${DEFAULT-VALUE}.")
    int instances;

    @Option(names = "--workers", defaultValue = "8", description = "Workers per instance. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--max-deliveries", defaultValue = "3",
            description = "Deliveries of a failing job before it is dead-lettered. Default: ${DEFAULT-VALUE}.")
    int maxDeliveries;

    private final PrintWriter out;

    WorkQueueApp(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(Cli.commandLine(new WorkQueueApp(out), "work-queue", out, err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (bootstrapServers != null) {
            return run(bootstrapServers, null);
        }
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            out.printf("embedded broker on %s (started in %d ms)%n", kafka.bootstrapServers(), kafka.startupMillis());
            return run(kafka.bootstrapServers(), kafka);
        }
    }

    /** What one run did. */
    record Summary(int written, Map<Integer, Integer> byInstance, int poisonFetches, long deadLetters) {
    }

    private int run(String bootstrap, EmbeddedKafka kafka) throws Exception {
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        String jobsTopic = "jobs-" + suffix;
        String results = "results-" + suffix;
        String dlq = "jobs-dlq-" + suffix;
        String group = "workers-" + suffix;
        if (kafka != null) {
            kafka.createTopic(jobsTopic, 1);
            kafka.createTopic(results, 1);
            kafka.createTopic(dlq, 1);
            // a new share group starts at the end of its topics unless told otherwise: read the queued jobs
            kafka.alterGroupConfig(group, Map.of("share.auto.offset.reset", "earliest"));
        }
        Summary s = process(bootstrap, jobsTopic, results, dlq, group);
        out.printf("jobs %d: written %d by instance %s; poison fetched %d times, dead letters %d (topic %s)%n",
                jobs, s.written(), s.byInstance(), s.poisonFetches(), s.deadLetters(), dlq);
        return s.written() == jobs - 1 && s.deadLetters() == 1 ? 0 : Cli.FAILED;
    }

    Summary process(String bootstrap, String jobsTopic, String results, String dlq, String group) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < jobs - 1; i++) {
                producer.send(new ProducerRecord<>(jobsTopic, "job-" + i, "job-" + i));
                if (i == jobs / 2) {
                    producer.send(new ProducerRecord<>(jobsTopic, POISON, POISON));
                }
            }
            producer.flush();

            KafkaShareSource<String, String> source = KafkaShareSource.create(KafkaShareSourceOptions
                    .builder(new StringDeserializer(), new StringDeserializer())
                    .bootstrapServers(bootstrap).topics(jobsTopic).groupId(group)
                    .maxPollRecords(50)
                    .build());
            Map<String, Integer> writtenBy = new ConcurrentHashMap<>();
            AtomicInteger poisonFetches = new AtomicInteger();
            AtomicLong duplicates = new AtomicLong();
            List<Disposable> running = new ArrayList<>();
            try (DeadLetterSink<RejectedRecord> letters = DeadLetters.toTopic(bootstrap, dlq, Map.of())) {
                for (int i = 0; i < instances; i++) {
                    int instance = i;
                    running.add(source.receive()
                            // fetch: an asynchronous call per job, retried on its own; failures become outcomes
                            .transform(ElementRetry.builder((ShareRecord<String, String> r) -> fetch(r, poisonFetches))
                                    .maxAttempts(2).backoff(Duration.ofMillis(5)).maxInFlight(workers).unordered()
                                    .buildOutcomes())
                            // enrich: plain code on the outcome
                            .map(o -> o.map(WorkQueueApp::enrich))
                            // write: more workers than partitions, each result written to the results topic
                            .transform(Workers.unordered(workers,
                                    (Outcome<ShareRecord<String, String>, String> o) -> o.isFailure()
                                            ? Mono.just(o)
                                            : write(producer, results, o).doOnSuccess(x -> {
                                                if (writtenBy.putIfAbsent(o.input().value(), instance) != null) {
                                                    duplicates.incrementAndGet();
                                                }
                                            })))
                            // accept what was written; release a failure, dead-letter and reject its last delivery
                            .transform(ShareOutcomes.<String, String>builder()
                                    .maxDeliveries(maxDeliveries)
                                    .deadLetters(letters, new StringSerializer(), new StringSerializer())
                                    .<String>build())
                            .subscribe());
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while ((writtenBy.size() < jobs - 1 || letters.count() < 1) && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                running.forEach(Disposable::dispose);
                Map<Integer, Integer> byInstance = new java.util.TreeMap<>();
                writtenBy.values().forEach(i -> byInstance.merge(i, 1, Integer::sum));
                if (duplicates.get() > 0) {
                    out.printf("%d jobs were written twice (a lock expired before their acceptance)%n", duplicates.get());
                }
                return new Summary(writtenBy.size(), byInstance, poisonFetches.get(), countRecords(bootstrap, dlq));
            }
        }
    }

    private static Mono<String> fetch(ShareRecord<String, String> job, AtomicInteger poisonFetches) {
        return Mono.delay(Duration.ofMillis(1)).map(x -> {
            if (POISON.equals(job.value())) {
                poisonFetches.incrementAndGet();
                throw new IllegalStateException("upstream refuses " + job.value() + " (delivery "
                        + job.deliveryCount() + ")");
            }
            return "page of " + job.value();
        });
    }

    private static String enrich(String page) {
        return "{\"page\":\"" + page + "\",\"length\":" + page.length() + "}";
    }

    private static Mono<Outcome<ShareRecord<String, String>, String>> write(KafkaProducer<String, String> producer,
            String topic, Outcome<ShareRecord<String, String>, String> o) {
        String value = ((Outcome.Success<ShareRecord<String, String>, String>) o).value();
        return Mono.<Outcome<ShareRecord<String, String>, String>>create(sink -> producer.send(
                new ProducerRecord<>(topic, o.input().key(), value), (md, e) -> {
                    if (e == null) {
                        sink.success(o);
                    } else {
                        sink.success(Outcome.failure(o.input(), e));
                    }
                }));
    }

    private static long countRecords(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "count-" + topic, "auto.offset.reset", "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            return c.endOffsets(List.of(tp)).get(tp);
        }
    }
}
