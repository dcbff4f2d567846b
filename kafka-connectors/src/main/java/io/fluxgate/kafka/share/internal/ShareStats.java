package io.fluxgate.kafka.share.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.jspecify.annotations.Nullable;

/**
 * Counts of one share source over all its subscriptions, mirrored into Micrometer meters when a registry is given:
 * {@code <name>.records} (received), {@code <name>.in.flight} (gauge: acquired, not yet acknowledged),
 * {@code <name>.acknowledged} tagged {@code type=accept|release|reject}, {@code <name>.delivery.count} (distribution
 * of the delivery count of received records), {@code <name>.lock.renewals}, {@code <name>.rejected} (refused by the
 * deserializers), {@code <name>.commit.failures}; all tagged with the group.
 */
public final class ShareStats {

    public final LongAdder received = new LongAdder();
    public final LongAdder accepted = new LongAdder();
    public final LongAdder released = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder renewals = new LongAdder();
    public final LongAdder undeserializable = new LongAdder();
    public final LongAdder commitFailures = new LongAdder();
    public final AtomicLong inFlight = new AtomicLong();

    private final @Nullable Counter receivedCounter;
    private final @Nullable Counter acceptCounter;
    private final @Nullable Counter releaseCounter;
    private final @Nullable Counter rejectCounter;
    private final @Nullable Counter renewalCounter;
    private final @Nullable Counter undeserializableCounter;
    private final @Nullable Counter commitFailureCounter;
    private final @Nullable DistributionSummary deliveryCounts;

    public ShareStats(@Nullable MeterRegistry registry, String name, String groupId) {
        if (registry == null) {
            receivedCounter = null;
            acceptCounter = null;
            releaseCounter = null;
            rejectCounter = null;
            renewalCounter = null;
            undeserializableCounter = null;
            commitFailureCounter = null;
            deliveryCounts = null;
            return;
        }
        receivedCounter = Counter.builder(name + ".records").tag("group", groupId)
                .description("records acquired and emitted by the share source").register(registry);
        acceptCounter = acknowledged(registry, name, groupId, "accept");
        releaseCounter = acknowledged(registry, name, groupId, "release");
        rejectCounter = acknowledged(registry, name, groupId, "reject");
        renewalCounter = Counter.builder(name + ".lock.renewals").tag("group", groupId)
                .description("acquisition lock renewals sent (one per record)").register(registry);
        undeserializableCounter = Counter.builder(name + ".rejected").tag("group", groupId)
                .description("records the deserializers refused, sent to the dead-letter sink").register(registry);
        commitFailureCounter = Counter.builder(name + ".commit.failures").tag("group", groupId)
                .description("acknowledgements the broker did not take (the records will be delivered again)")
                .register(registry);
        deliveryCounts = DistributionSummary.builder(name + ".delivery.count").tag("group", groupId)
                .description("delivery count of the records received").serviceLevelObjectives(1, 2, 3, 5, 10)
                .register(registry);
        Gauge.builder(name + ".in.flight", inFlight, AtomicLong::get).tag("group", groupId)
                .description("records acquired and not yet acknowledged").register(registry);
    }

    private static Counter acknowledged(MeterRegistry registry, String name, String groupId, String type) {
        return Counter.builder(name + ".acknowledged").tag("group", groupId).tag("type", type)
                .description("records acknowledged to the broker, by type").register(registry);
    }

    void onReceived(int deliveryCount) {
        received.increment();
        inFlight.incrementAndGet();
        if (receivedCounter != null) {
            receivedCounter.increment();
            deliveryCounts.record(deliveryCount);
        }
    }

    void onAcknowledged(AcknowledgeType type) {
        inFlight.decrementAndGet();
        switch (type) {
            case ACCEPT -> count(accepted, acceptCounter);
            case RELEASE -> count(released, releaseCounter);
            case REJECT -> count(rejected, rejectCounter);
            default -> throw new IllegalArgumentException("not a final acknowledgement: " + type);
        }
    }

    void onRenewed(int records) {
        renewals.add(records);
        if (renewalCounter != null) {
            renewalCounter.increment(records);
        }
    }

    void onUndeserializable() {
        count(undeserializable, undeserializableCounter);
    }

    void onCommitFailed(int records) {
        commitFailures.add(records);
        if (commitFailureCounter != null) {
            commitFailureCounter.increment(records);
        }
    }

    private static void count(LongAdder adder, @Nullable Counter counter) {
        adder.increment();
        if (counter != null) {
            counter.increment();
        }
    }
}
