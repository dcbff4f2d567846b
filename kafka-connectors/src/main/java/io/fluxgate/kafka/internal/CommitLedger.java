package io.fluxgate.kafka.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fluxgate.window.Checkpoint;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a crash-safe windows run may commit: the windows it emitted, in emission order per lane (one lane for a run
 * with one operator, one per partition with an operator per partition), each with the {@link Checkpoint} it carries;
 * once the sink acknowledged a window and every window of its lane emitted before it, its checkpoint is the lane's
 * committable one.
 *
 * <p>An acknowledgement is matched by value, not by identity: by the window ({@link WindowCount#equals}: window and
 * counts) and the checkpoint it carries, so a sink may emit the instances it was given or copies that keep the
 * checkpoint. Two emitted windows equal in both are the same write to a sink that is idempotent per window, so which
 * of them an acknowledgement settles does not matter. A window acknowledged without a checkpoint, or one the run did
 * not emit (or acknowledged twice), is an error of the sink, reported as such rather than leaving commits stuck.
 *
 * <p>Thread-safe: windows are emitted and acknowledged on any threads.
 */
public final class CommitLedger {

    private final Function<Checkpoint, Object> laneOf;
    private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();
    private final Map<Object, Checkpoint> acked = new ConcurrentHashMap<>();

    /**
     * @param laneOf the lane of a checkpoint (e.g. its only partition; a constant for one lane)
     */
    public CommitLedger(Function<Checkpoint, Object> laneOf) {
        this.laneOf = laneOf;
    }

    /** An acknowledgement's key: the window's value and its checkpoint's. */
    private record Key(WindowCount window, Checkpoint checkpoint) {
    }

    private final class Lane {
        final PartitionTracker<Checkpoint> order;
        /** Guarded by this lane. */
        long nextSeq;
        /** Sequence numbers of emitted windows not yet acknowledged, by value; guarded by this lane. */
        final Map<Key, ArrayDeque<Long>> pending = new HashMap<>();

        Lane(Object lane) {
            order = new PartitionTracker<>(0, cp -> acked.put(lane, cp));
        }
    }

    private Lane lane(Checkpoint cp) {
        return lanes.computeIfAbsent(laneOf.apply(cp), Lane::new);
    }

    /**
     * Registers an emitted window, after any window emitted before it in its lane.
     *
     * @throws IllegalStateException if the window carries no checkpoint (the operator does not track positions)
     */
    public void emitted(WindowCount w) {
        Checkpoint cp = w.checkpoint().orElseThrow(() -> new IllegalStateException("the operator emitted " + w
                + " without a checkpoint: build it with positions(KafkaRecord::offset) and"
                + " partitions(CrashSafeWindows.partitionKey()) (CrashSafeWindows.tracking does)"));
        Lane lane = lane(cp);
        synchronized (lane) {
            long seq = lane.nextSeq++;
            lane.order.register(seq, cp);
            lane.pending.computeIfAbsent(new Key(w, cp), k -> new ArrayDeque<>(1)).add(seq);
        }
    }

    /**
     * The sink acknowledged a window (the instance emitted or a copy that keeps its checkpoint).
     *
     * @throws IllegalStateException if it carries no checkpoint, or no emitted window of that value is pending
     */
    public void acknowledged(WindowCount w) {
        Checkpoint cp = w.checkpoint().orElseThrow(() -> new IllegalStateException("the sink acknowledged " + w
                + " without its checkpoint: a sink must emit the windows it was given, or copies that keep"
                + " checkpoint(), or no commit could follow it"));
        Lane lane = lanes.get(laneOf.apply(cp));
        Long seq = null;
        if (lane != null) {
            Key key = new Key(w, cp);
            synchronized (lane) {
                ArrayDeque<Long> seqs = lane.pending.get(key);
                if (seqs != null) {
                    seq = seqs.poll();
                    if (seqs.isEmpty()) {
                        lane.pending.remove(key);
                    }
                }
            }
        }
        if (seq == null) {
            throw new IllegalStateException("the sink acknowledged " + w + " (" + cp + "), which this run did not"
                    + " emit or which was acknowledged already");
        }
        lane.order.accept(seq);
    }

    /**
     * A checkpoint without a window (e.g. a partition read to its end), committable once every window of its lane
     * emitted before it is acknowledged.
     */
    public void passed(Checkpoint cp) {
        Lane lane = lane(cp);
        long seq;
        synchronized (lane) {
            seq = lane.nextSeq++;
            lane.order.register(seq, cp);
        }
        lane.order.accept(seq);
    }

    /** Whether some lane has a committable checkpoint not yet taken. */
    public boolean hasAcked() {
        return !acked.isEmpty();
    }

    /** The latest committable checkpoint of each lane since the last call. */
    public Map<Object, Checkpoint> take() {
        Map<Object, Checkpoint> taken = new HashMap<>();
        for (Object lane : acked.keySet()) {
            Checkpoint cp = acked.remove(lane);
            if (cp != null) {
                taken.put(lane, cp);
            }
        }
        return taken;
    }

    /** Puts back checkpoints whose commit failed, unless a newer one of the lane became committable meanwhile. */
    public void untake(Map<Object, Checkpoint> taken) {
        taken.forEach(acked::putIfAbsent);
    }

    /**
     * The offsets that commit {@code checkpoints}: each mark of an assigned partition at its resume position, with the
     * window state as of that position in the metadata.
     *
     * @throws IllegalStateException if a mark is not keyed by a {@link TopicPartition}
     */
    public static Map<TopicPartition, OffsetAndMetadata> offsets(Collection<Checkpoint> checkpoints,
                                                                 Set<TopicPartition> assigned) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Checkpoint cp : checkpoints) {
            cp.marks().forEach((key, mark) -> {
                if (!(key instanceof TopicPartition tp)) {
                    throw new IllegalStateException("a checkpoint mark is keyed by " + key + ", not by a partition:"
                            + " build the operator with partitions(CrashSafeWindows.partitionKey())");
                }
                if (assigned.contains(tp)) {
                    offsets.put(tp, new OffsetAndMetadata(mark.resumePosition(),
                            CheckpointCodec.encode(mark.maxEventTimeBefore(), cp.emittedUpTo())));
                }
            });
        }
        return offsets;
    }
}
