package io.fluxgate.examples.uniqueusers;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The kill point of the app in {@link UniqueUsersCrashTest}, given to its input consumer with
 * {@code --consumer-property interceptor.classes=...}: the process's first successful commit prints
 * {@code KILL-POINT <offset>} and holds the consumer's thread, so nothing more is read or committed until the test,
 * which waits for that line, kills the process. The consumer is also paced ({@value #RECORDS_PER_SECOND} records per
 * second, slept off in the poll), so that a child's first commit (after the app's 1 s commit interval) comes before
 * its end of input on a machine of any speed: the kill is never a race with the child finishing.
 */
public final class CommitKillPoint implements ConsumerInterceptor<Object, Object> {

    static final String SIGNAL = "KILL-POINT";
    static final int RECORDS_PER_SECOND = 20_000;

    private static final AtomicInteger COMMITS = new AtomicInteger();
    private long consumed;
    private final long start = System.nanoTime();

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        consumed += records.count();
        long ahead = start + consumed * TimeUnit.SECONDS.toNanos(1) / RECORDS_PER_SECOND - System.nanoTime();
        if (ahead > 0) {
            LockSupport.parkNanos(ahead);
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (COMMITS.incrementAndGet() == 1) {
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
