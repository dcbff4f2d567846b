package io.fluxgate.kafka.share.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import io.fluxgate.kafka.share.ShareRecord;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockShareConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;

/** The lock-renewal decision on a fake clock: no broker, no timers. */
class LockRenewalTest {

    private static final long LOCK_MS = 30_000;
    private static final long HALF_LOCK = TimeUnit.MILLISECONDS.toNanos(LOCK_MS) / 2;

    @Test
    void dueOnceHeldHalfTheLockTheBrokerReports() {
        LockRenewal renewal = new LockRenewal(null);
        AtomicInteger asked = new AtomicInteger();
        assertThat(renewal.known(() -> {
            asked.incrementAndGet();
            return Optional.empty();
        })).as("before the broker reports its lock").isFalse();
        assertThat(renewal.due(0, Long.MAX_VALUE)).isFalse();

        assertThat(renewal.known(() -> {
            asked.incrementAndGet();
            return Optional.of((int) LOCK_MS);
        })).isTrue();
        assertThat(renewal.known(() -> {
            throw new AssertionError("asked again once known");
        })).isTrue();
        assertThat(asked).hasValue(2);

        long heldSince = -5; // nanoTime may be negative
        assertThat(renewal.due(heldSince, heldSince + HALF_LOCK - 1)).isFalse();
        assertThat(renewal.due(heldSince, heldSince + HALF_LOCK)).isTrue();
    }

    @Test
    void aConfiguredRenewAfterWinsOverTheLock() {
        LockRenewal renewal = new LockRenewal(Duration.ofSeconds(2));
        assertThat(renewal.known(() -> {
            throw new AssertionError("the lock is not needed");
        })).isTrue();
        assertThat(renewal.due(100, 100 + 1_999_999_999L)).isFalse();
        assertThat(renewal.due(100, 100 + 2_000_000_000L)).isTrue();
    }

    /** The loop measures how long a record is held on its injected clock and renews it at half the lock. */
    @Test
    void theLoopRenewsAHeldRecordAtHalfTheLockOnItsClock() {
        AtomicLong now = new AtomicLong(1_000);
        AtomicLong reads = new AtomicLong();
        LongSupplier clock = () -> {
            reads.incrementAndGet();
            return now.get();
        };
        BlockingQueue<AcknowledgeType> acks = new LinkedBlockingQueue<>();
        MockShareConsumer<String, String> consumer = new MockShareConsumer<>() {
            @Override
            public Optional<Integer> acquisitionLockTimeoutMs() {
                return Optional.of((int) LOCK_MS);
            }

            @Override
            public synchronized void acknowledge(ConsumerRecord<String, String> record, AcknowledgeType type) {
                acks.add(type);
            }
        };
        consumer.subscribe(List.of("jobs")); // the mock takes records of subscribed topics only; the loop subscribes again
        consumer.addRecord(new ConsumerRecord<>("jobs", 0, 0L, "k", "v"));
        KafkaShareSourceOptions<String, String> options = KafkaShareSourceOptions
                .builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers("unused:9092").groupId("g").topics("jobs")
                .closeTimeout(Duration.ZERO) // the fake clock does not run out a close deadline by itself
                .build();
        ShareStats stats = new ShareStats(null, "test", "g");
        List<ShareRecord<String, String>> received = new ArrayList<>();
        Disposable subscription = new ShareLoop<>(options, stats, () -> consumer, clock).records()
                .subscribe(r -> {
                    synchronized (received) {
                        received.add(r);
                    }
                });
        try {
            await(() -> {
                synchronized (received) {
                    return received.size() == 1;
                }
            });
            // acquired at 1_000; held (not acknowledged) while the loop goes round with the clock just short of half
            now.set(1_000 + HALF_LOCK - 1);
            long seen = reads.get();
            await(() -> reads.get() >= seen + 3); // two whole turns of the loop at least saw this time
            assertThat(acks).as("renewed before half the lock").isEmpty();
            assertThat(stats.renewals.sum()).isZero();

            now.set(1_000 + HALF_LOCK);
            await(() -> !acks.isEmpty());
            assertThat(acks.poll()).isEqualTo(AcknowledgeType.RENEW);
            assertThat(stats.renewals.sum()).isOne();
        } finally {
            subscription.dispose();
        }
    }

    /** Waits for a condition the loop's thread makes true; fails after a generous bound (no timing asserted). */
    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition not met in 60 s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
