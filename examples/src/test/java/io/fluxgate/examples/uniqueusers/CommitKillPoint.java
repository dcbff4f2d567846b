package io.fluxgate.examples.uniqueusers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The kill point of a child app in {@link UniqueUsersCrashTest} and {@link UniqueUsersScaleOutTest}, given to its
 * input consumer with {@code --consumer-property interceptor.classes=...}: the process's first successful commit
 * prints {@code KILL-POINT <offset>} and holds the consumer's thread, so nothing more is read or committed until the
 * test, which waits for that line, kills the process.
 *
 * <p>The consumer is also paced ({@value #RECORDS_PER_SECOND} records per second from its first record, slept off in
 * the poll, or the rate in the system property {@value #RATE_PROPERTY}), so that a child's first commit (after the
 * app's 1 s commit interval) comes before its end of input on a machine of any speed: the kill is never a race with
 * the child finishing.
 *
 * <p>With the system property {@value #ARM_PROPERTY} naming a file, only a commit made once that file exists is the
 * kill point. The scale-out test creates it once the group is stable: a commit can also be the one a member makes
 * while its partitions are revoked as others join, and a consumer thread held there never finishes that rebalance
 * (the group waits for the member, its partitions show as nobody's, and the others may take them all).
 */
public final class CommitKillPoint implements ConsumerInterceptor<Object, Object> {

    static final String SIGNAL = "KILL-POINT";
    static final int RECORDS_PER_SECOND = 20_000;
    static final String ARM_PROPERTY = "fluxgate.test.killpoint.arm";
    static final String RATE_PROPERTY = "fluxgate.test.killpoint.rate";

    private static final AtomicBoolean HELD = new AtomicBoolean();

    private final Path arm = System.getProperty(ARM_PROPERTY) == null ? null : Path.of(System.getProperty(ARM_PROPERTY));
    private final long rate = Long.getLong(RATE_PROPERTY, RECORDS_PER_SECOND);
    private long consumed;
    private long start;

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (records.isEmpty()) {
            return records;
        }
        if (consumed == 0) {
            // from the first record, not from the consumer's creation: the time spent joining the group earns no
            // burst
            start = System.nanoTime();
        }
        consumed += records.count();
        long ahead = start + consumed * TimeUnit.SECONDS.toNanos(1) / rate - System.nanoTime();
        if (ahead > 0) {
            LockSupport.parkNanos(ahead);
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if ((arm == null || Files.exists(arm)) && HELD.compareAndSet(false, true)) {
            long sum = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            System.out.println(SIGNAL + " " + sum);
            System.out.flush();
            while (true) {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
