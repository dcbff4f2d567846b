package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class PartitionTrackerTest {

    private final List<Long> advances = new ArrayList<>();
    private final PartitionTracker<Long> tracker = new PartitionTracker<>(1, advances::add);

    @Test
    void inOrderAcksAdvanceOneByOne() {
        for (long o = 0; o < 3; o++) {
            tracker.register(o, o);
        }
        tracker.accept(0);
        tracker.accept(1);
        tracker.accept(2);
        assertThat(advances).containsExactly(0L, 1L, 2L);
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void outOfOrderAckWaitsForEverythingBefore() {
        for (long o = 10; o < 15; o++) {
            tracker.register(o, o);
        }
        tracker.accept(12);
        tracker.accept(14);
        assertThat(advances).isEmpty();
        tracker.accept(10);
        assertThat(advances).containsExactly(10L);
        tracker.accept(11);
        assertThat(advances).containsExactly(10L, 12L);
        tracker.accept(13);
        assertThat(advances).containsExactly(10L, 12L, 14L);
    }

    @Test
    void gapsInOffsetsAreFine() {
        tracker.register(5, 5L);
        tracker.register(9, 9L);
        tracker.accept(9);
        tracker.accept(5);
        assertThat(advances).containsExactly(9L);
    }

    @Test
    void repeatedUnknownAndLateAcksAreIgnored() {
        tracker.register(0, 0L);
        tracker.register(1, 1L);
        tracker.accept(0);
        tracker.accept(0);
        tracker.accept(7);
        assertThat(advances).containsExactly(0L);
        tracker.close();
        tracker.accept(1);
        assertThat(advances).containsExactly(0L);
        assertThat(tracker.register(2, 2L)).isFalse();
    }

    @Test
    void replayedOffsetsAreNotRegisteredTwice() {
        assertThat(tracker.register(3, 3L)).isTrue();
        assertThat(tracker.register(3, 3L)).isFalse();
        assertThat(tracker.register(2, 2L)).isFalse();
    }

    /** Against a model: the advance after each ack is the largest offset whose prefix is fully acked. */
    @Test
    void randomAckOrderMatchesModel() {
        Random rnd = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<Long> advanced = new ArrayList<>();
            PartitionTracker<Long> t = new PartitionTracker<>(1, advanced::add);
            int n = 1 + rnd.nextInt(300);
            List<Long> offsets = new ArrayList<>();
            long o = rnd.nextInt(5);
            for (int i = 0; i < n; i++) {
                offsets.add(o);
                t.register(o, o);
                o += 1 + rnd.nextInt(3);
            }
            List<Long> order = new ArrayList<>(offsets);
            Collections.shuffle(order, rnd);
            boolean[] done = new boolean[n];
            int prefix = 0;
            for (long ack : order) {
                done[offsets.indexOf(ack)] = true;
                int before = prefix;
                while (prefix < n && done[prefix]) {
                    prefix++;
                }
                int size = advanced.size();
                t.accept(ack);
                if (prefix > before) {
                    assertThat(advanced).hasSize(size + 1);
                    assertThat(advanced.get(size)).isEqualTo(offsets.get(prefix - 1));
                } else {
                    assertThat(advanced).hasSize(size);
                }
            }
            assertThat(t.pending()).isZero();
        }
    }

    @Test
    void withoutCallbackTheCountAndOffsetTellTheAdvances() {
        PartitionTracker<Long> t = new PartitionTracker<>(1);
        for (long o = 0; o < 4; o++) {
            t.register(o, null);
        }
        assertThat(t.advancedOffset()).isEqualTo(Long.MIN_VALUE);
        t.accept(1);
        assertThat(t.advances()).isZero();
        t.accept(0);
        assertThat(t.advances()).isEqualTo(1);
        assertThat(t.advancedOffset()).isEqualTo(1);
        t.accept(2);
        assertThat(t.advances()).isEqualTo(2);
        assertThat(t.advancedOffset()).isEqualTo(2);
        assertThat(t.pending()).isEqualTo(1);
    }

    /**
     * Registration takes no lock: one thread registers (growing the ring past its first size several times) while
     * three others acknowledge what it registered, in scrambled order; every record must end in the prefix.
     */
    @Test
    void concurrentRegistrationAndAcknowledgementsLoseNothing() throws Exception {
        int n = 200_000;
        PartitionTracker<Long> t = new PartitionTracker<>(1);
        BlockingQueue<Long> registered = new ArrayBlockingQueue<>(n);
        ExecutorService ackers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                done.add(ackers.submit(() -> {
                    List<Long> held = new ArrayList<>();
                    Random rnd = new Random();
                    while (true) {
                        Long o = registered.poll(10, TimeUnit.SECONDS);
                        if (o == null || o < 0) {
                            break;
                        }
                        held.add(o);
                        // hold some back to acknowledge out of order, and let the pending ring grow
                        if (held.size() > rnd.nextInt(2000)) {
                            Collections.shuffle(held, rnd);
                            held.forEach(t::accept);
                            held.clear();
                        }
                    }
                    held.forEach(t::accept);
                    return null;
                }));
            }
            for (long o = 0; o < n; o++) {
                assertThat(t.register(o * 2, null)).isTrue();
                registered.put(o * 2);
            }
            for (int k = 0; k < 3; k++) {
                registered.put(-1L);
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            ackers.shutdownNow();
        }
        assertThat(t.pending()).isZero();
        assertThat(t.advancedOffset()).isEqualTo((n - 1) * 2L);
        assertThat(t.advances()).isPositive();
    }
}
