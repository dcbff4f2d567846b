package io.fluxgate.kafka.share;

import static io.fluxgate.kafka.share.ShareTestBroker.LOCK;
import static io.fluxgate.kafka.share.ShareTestBroker.awaitMembers;
import static io.fluxgate.kafka.share.ShareTestBroker.describe;
import static io.fluxgate.kafka.share.ShareTestBroker.options;
import static io.fluxgate.kafka.share.ShareTestBroker.plainConsumer;
import static io.fluxgate.kafka.share.ShareTestBroker.produce;
import static io.fluxgate.kafka.share.ShareTestBroker.topicAndGroup;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.workers.Workers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link KafkaShareSource} against a real broker with share groups and {@value ShareTestBroker#LOCK}-second record
 * locks ({@link ShareTestBroker}). What the broker did is observed with plain share consumers of the same group and
 * through delivery counts, not through the source's own counters alone.
 */
class KafkaShareSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0} instances")
    @ValueSource(ints = {2, 3})
    void instancesShareOnePartitionAndNoAcceptedRecordComesTwice(int instances) throws Exception {
        String[] tg = topicAndGroup("share-n" + instances);
        int records = 300;
        Map<String, Integer> acceptedBy = new ConcurrentHashMap<>();
        List<String> deliveries = new CopyOnWriteArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        List<KafkaShareSource<String, String>> sources = new ArrayList<>();
        List<Disposable> running = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            int instance = i;
            // small batches and a renewal well inside the lock, so a loaded machine does not let a lock lapse
            KafkaShareSource<String, String> source = KafkaShareSource.create(options(tg[0], tg[1])
                    .maxPollRecords(5).renewAfter(Duration.ofMillis(500)).build());
            sources.add(source);
            running.add(source.receive()
                    .flatMap(r -> Mono.delay(Duration.ofMillis(2)).doOnNext(x -> {
                        deliveries.add(r.value());
                        Integer before = acceptedBy.putIfAbsent(r.value(), instance);
                        assertThat(before).as("%s accepted by %s before", r.value(), before).isNull();
                        r.accept();
                        accepted.incrementAndGet();
                    }), 4)
                    .subscribe());
        }
        try {
            awaitMembers(tg[1], instances);
            produce(tg[0], IntStream.range(0, records).mapToObj(i -> "v" + i).toList());
            await(() -> accepted.get() >= records);
            assertThat(acceptedBy.keySet()).hasSize(records);
            // nothing was delivered twice: no lock lapsed, nothing was released
            assertThat(deliveries).hasSize(records).doesNotHaveDuplicates();
            for (int i = 0; i < instances; i++) {
                int instance = i;
                assertThat(acceptedBy.values()).as("records processed by instance %d", i).anyMatch(v -> v == instance);
            }
            assertThat(sources.stream().mapToLong(KafkaShareSource::acceptedCount).sum()).isEqualTo(records);
        } finally {
            running.forEach(Disposable::dispose);
        }
    }

    @Test
    void aKilledInstancesRecordsGoToTheOthersOnceTheLockExpires() throws Exception {
        String[] tg = topicAndGroup("share-kill");
        produce(tg[0], List.of("a", "b", "c", "d", "e"));
        // the killed instance: acquires records, never acknowledges them, never closes (its process is gone)
        KafkaShareConsumer<String, String> killed = plainConsumer(tg[0], tg[1], 10);
        List<ConsumerRecord<String, String>> taken = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (taken.isEmpty() && System.nanoTime() < deadline) {
            killed.poll(Duration.ofMillis(100)).forEach(taken::add);
        }
        assertThat(taken).isNotEmpty();
        try {
            KafkaShareSource<String, String> survivor = KafkaShareSource.create(options(tg[0], tg[1]).build());
            List<String> got = new CopyOnWriteArrayList<>();
            Disposable d = survivor.receive().doOnNext(r -> {
                got.add(r.value() + "#" + r.deliveryCount());
                r.accept();
            }).subscribe();
            try {
                await(() -> got.size() >= 5);
            } finally {
                d.dispose();
            }
            List<String> expected = new ArrayList<>();
            for (String v : List.of("a", "b", "c", "d", "e")) {
                boolean wasTaken = taken.stream().anyMatch(r -> r.value().equals(v));
                // a record the killed one held comes again once its lock expired: second delivery
                expected.add(v + "#" + (wasTaken ? 2 : 1));
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            killed.close(Duration.ZERO);
        }
    }

    @Test
    void releaseRedeliversRejectArchivesAcceptIsFinal() throws Exception {
        String[] tg = topicAndGroup("share-ack");
        produce(tg[0], List.of("release", "reject", "accept"));
        KafkaShareSource<String, String> source = KafkaShareSource.create(options(tg[0], tg[1]).build());
        List<String> seen = new CopyOnWriteArrayList<>();
        Disposable d = source.receive().doOnNext(r -> {
            seen.add(r.value() + "#" + r.deliveryCount());
            switch (r.value()) {
                case "release" -> {
                    if (r.deliveryCount() == 1) {
                        r.release();
                    } else {
                        r.accept();
                    }
                }
                case "reject" -> r.reject();
                default -> r.accept();
            }
        }).subscribe();
        try {
            await(() -> seen.size() >= 4);
            assertThat(source.releasedCount()).isEqualTo(1);
            assertThat(source.rejectedCount()).isEqualTo(1);
        } finally {
            d.dispose();
        }
        // the broker's view: a plain member of the group gets only what comes after (the source, closing, may have
        // acquired and released the marker: any delivery count); the rejected record is archived
        produce(tg[0], List.of("marker"));
        List<String> after = new ArrayList<>();
        try (KafkaShareConsumer<String, String> plain = plainConsumer(tg[0], tg[1], 10)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!after.contains("marker") && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : plain.poll(Duration.ofMillis(100))) {
                    after.add(r.value());
                    plain.acknowledge(r, AcknowledgeType.ACCEPT);
                }
            }
            plain.commitSync();
        }
        assertThat(seen).containsExactlyInAnyOrder("release#1", "reject#1", "accept#1", "release#2");
        assertThat(after).containsExactly("marker");
    }

    @Test
    void heldRecordsStayLockedPastTheLockDurationWithRenewals() throws Exception {
        // two holders at once: one renewed by the source itself, one by explicit renew() calls
        String[] auto = topicAndGroup("share-renew-auto");
        String[] manual = topicAndGroup("share-renew-manual");
        produce(auto[0], List.of("held"));
        produce(manual[0], List.of("held"));
        KafkaShareSource<String, String> autoSource = KafkaShareSource.create(options(auto[0], auto[1])
                .renewAfter(Duration.ofMillis(400)).build());
        // renewAfter far beyond the lock: only the explicit calls renew
        KafkaShareSource<String, String> manualSource = KafkaShareSource.create(options(manual[0], manual[1])
                .renewAfter(Duration.ofMinutes(5)).build());
        long holdMillis = LOCK.toMillis() * 3 / 2;
        List<String> held = new CopyOnWriteArrayList<>();
        Disposable a = autoSource.receive()
                .concatMap(r -> Mono.delay(Duration.ofMillis(holdMillis)).doOnNext(x -> {
                    held.add("auto " + r.value() + "#" + r.deliveryCount());
                    r.accept();
                })).subscribe();
        Disposable m = manualSource.receive()
                .concatMap(r -> Flux.interval(Duration.ofMillis(400)).take(holdMillis / 400)
                        .doOnNext(x -> r.renew())
                        .then(Mono.fromRunnable(() -> {
                            held.add("manual " + r.value() + "#" + r.deliveryCount());
                            r.accept();
                        }))).subscribe();
        // competing members, joining once each source holds its record, take whatever the broker hands out
        await(() -> autoSource.receivedCount() == 1 && manualSource.receivedCount() == 1);
        List<String> competitors = new CopyOnWriteArrayList<>();
        try (KafkaShareConsumer<String, String> ca = plainConsumer(auto[0], auto[1], 10);
             KafkaShareConsumer<String, String> cm = plainConsumer(manual[0], manual[1], 10)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (held.size() < 2 && System.nanoTime() < deadline) {
                for (KafkaShareConsumer<String, String> c : List.of(ca, cm)) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
                        competitors.add(describe(r));
                        c.acknowledge(r, AcknowledgeType.RELEASE);
                    }
                }
            }
        } finally {
            a.dispose();
            m.dispose();
        }
        assertThat(held).containsExactlyInAnyOrder("auto held#1", "manual held#1");
        assertThat(competitors).as("records handed to another member while held").isEmpty();
        assertThat(autoSource.renewalCount()).isGreaterThanOrEqualTo(1);
        assertThat(manualSource.renewalCount()).isGreaterThanOrEqualTo(holdMillis / 400);
        assertThat(autoSource.acceptedCount() + manualSource.acceptedCount()).isEqualTo(2);
    }

    @Test
    void cancelReleasesWhatWasAcquiredAndNotAcknowledged() throws Exception {
        String[] tg = topicAndGroup("share-cancel");
        List<String> values = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        produce(tg[0], values);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaShareSource<String, String> first = KafkaShareSource.create(options(tg[0], tg[1])
                .maxPollRecords(10).meterRegistry(registry).build());
        // three emitted and held, the rest of the batch waiting for demand; then cancel
        List<ShareRecord<String, String>> three = first.receive().take(3).collectList().block(WAIT);
        assertThat(three).hasSize(3);
        await(() -> first.inFlight() == 0);
        long released = first.releasedCount();
        assertThat(released).isEqualTo(first.receivedCount()).isPositive();
        assertThat(registry.get("fluxgate.kafka.share.acknowledged").tag("type", "release").counter().count())
                .isEqualTo(released);
        assertThat(registry.get("fluxgate.kafka.share.delivery.count").summary().count()).isEqualTo(released);
        assertThat(registry.get("fluxgate.kafka.share.in.flight").gauge().value()).isZero();
        // a late acknowledgement of a record released on cancel does nothing
        assertThat(three.get(0).accept()).isTrue();
        assertThat(first.acceptedCount()).isZero();
        // released, not left to expire: the next member gets them as second deliveries
        List<String> again = new CopyOnWriteArrayList<>();
        Disposable d = KafkaShareSource.create(options(tg[0], tg[1]).build()).receive().doOnNext(r -> {
            again.add(r.value() + "#" + r.deliveryCount());
            r.accept();
        }).subscribe();
        try {
            await(() -> again.size() >= values.size());
        } finally {
            d.dispose();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            expected.add(values.get(i) + "#" + (i < released ? 2 : 1));
        }
        assertThat(again).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void outcomesAcceptReleaseAndDeadLetterThroughRetryAndWorkers() throws Exception {
        String[] tg = topicAndGroup("share-outcome");
        String dlq = ShareTestBroker.unique("share-dlq");
        ShareTestBroker.kafka().createTopic(dlq, 1);
        List<String> values = new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> "ok" + i).toList());
        values.add(7, "poison");
        produce(tg[0], values);
        KafkaShareSource<String, String> source = KafkaShareSource.create(options(tg[0], tg[1]).maxPollRecords(8).build());
        AtomicInteger poisonAttempts = new AtomicInteger();
        Set<String> written = Collections.synchronizedSet(new HashSet<>());
        try (DeadLetterSink<RejectedRecord> letters = DeadLetters.toTopic(ShareTestBroker.kafka().bootstrapServers(), dlq,
                Map.of())) {
            Disposable d = source.receive()
                    .transform(ElementRetry.<ShareRecord<String, String>, String>builder(r -> Mono.fromCallable(() -> {
                        if (r.value().equals("poison")) {
                            poisonAttempts.incrementAndGet();
                            throw new IllegalArgumentException("cannot enrich " + r.value());
                        }
                        return r.value().toUpperCase();
                    })).maxAttempts(2).backoff(Duration.ofMillis(1)).maxInFlight(4).unordered().buildOutcomes())
                    // the write: several workers, more than the topic's one partition; an outcome passes through
                    .transform(Workers.unordered(3, (Outcome<ShareRecord<String, String>, String> o) -> o.isFailure()
                            ? Mono.just(o)
                            : Mono.fromRunnable(() -> written.add(((Outcome.Success<ShareRecord<String, String>, String>) o).value()))
                                    .subscribeOn(Schedulers.boundedElastic()).thenReturn(o)))
                    .transform(ShareOutcomes.<String, String>builder().maxDeliveries(3)
                            .deadLetters(letters, new StringSerializer(), new StringSerializer()).<String>build())
                    .subscribe();
            try {
                await(() -> written.size() == 20 && source.rejectedCount() == 1);
            } finally {
                d.dispose();
            }
        }
        assertThat(written).hasSize(20).allMatch(v -> v.startsWith("OK"));
        // three deliveries of two attempts each, then the dead letter
        assertThat(poisonAttempts).hasValue(6);
        assertThat(source.releasedCount()).isEqualTo(2);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                ShareTestBroker.kafka().bootstrapServers(), "group.id", ShareTestBroker.unique("dlq-reader"),
                "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.assign(List.of(new TopicPartition(dlq, 0)));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(got::add);
            }
            assertThat(got).hasSize(1);
            assertThat(got.get(0).value()).isEqualTo("poison");
            assertThat(new String(got.get(0).headers().lastHeader(DeadLetters.HEADER_REASON).value()))
                    .contains("cannot enrich poison");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
