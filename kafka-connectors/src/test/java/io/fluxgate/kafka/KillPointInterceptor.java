package io.fluxgate.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The kill point of a {@link CrashChild}: with {@code -Dfluxgate.test.killAfterCommits=N}, the N-th successful
 * commit of the process prints {@code KILL-POINT <committed offsets>} and then holds the consumer's thread, so that
 * nothing more is read or committed until the test, which waits for that line, kills the process. A kill at a
 * known point instead of a race against a timer: the child can neither finish first nor be killed before it has
 * committed progress of its own. Without the property it does nothing.
 */
public final class KillPointInterceptor implements ConsumerInterceptor<Object, Object> {

    static final String AFTER_COMMITS = "fluxgate.test.killAfterCommits";
    static final String SIGNAL = "KILL-POINT";

    private static final AtomicInteger COMMITS = new AtomicInteger();

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        int after = Integer.getInteger(AFTER_COMMITS, 0);
        if (after > 0 && COMMITS.incrementAndGet() == after) {
            long sum = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            System.out.println(SIGNAL + " commits=" + after + " offsets=" + sum);
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
