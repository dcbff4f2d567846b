package io.fluxgate.workers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import io.fluxgate.control.LimitController;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Call slots whose number follows a {@link LimitController}. Waiters are served first come, first served; samples
 * are fed to the controller under the lock, which serialises them as the controller contract requires.
 *
 * <p>One semaphore per subscription: an acquire is only cancelled when the whole stream is (flatMap cancels its
 * inners only then), so a slot granted to a waiter cancelled in the same instant is never needed again.
 */
final class AdaptiveSemaphore {

    private final LimitController controller;
    private final IntConsumer onLimit;
    private final ArrayDeque<MonoSink<Integer>> waiters = new ArrayDeque<>();
    private int inFlight;
    private int lastLimit;

    AdaptiveSemaphore(LimitController controller, IntConsumer onLimit) {
        this.controller = controller;
        this.onLimit = onLimit;
        this.lastLimit = controller.limit();
    }

    /** A slot; the value is the number of calls in flight including this one (the controller's load). */
    Mono<Integer> acquire() {
        return Mono.create(sink -> {
            int granted = 0;
            synchronized (this) {
                if (waiters.isEmpty() && inFlight < controller.limit()) {
                    granted = ++inFlight;
                } else {
                    waiters.add(sink);
                }
            }
            if (granted > 0) {
                sink.success(granted);
            } else {
                sink.onCancel(() -> {
                    synchronized (this) {
                        waiters.remove(sink);
                    }
                });
            }
        });
    }

    /** Frees a slot without a sample (the call was cancelled). */
    void release() {
        wake(false, 0, 0, false);
    }

    /** Frees a slot and reports the call's latency. */
    void release(long latencyNanos, int load, boolean dropped) {
        wake(true, latencyNanos, load, dropped);
    }

    private void wake(boolean sample, long latencyNanos, int load, boolean dropped) {
        List<MonoSink<Integer>> ready = new ArrayList<>();
        List<Integer> loads = new ArrayList<>();
        int changedTo = -1;
        synchronized (this) {
            inFlight--;
            if (sample) {
                controller.onSample(Math.max(0, latencyNanos), load, dropped);
            }
            int limit = controller.limit();
            if (limit != lastLimit) {
                lastLimit = limit;
                changedTo = limit;
            }
            while (inFlight < limit && !waiters.isEmpty()) {
                ready.add(waiters.poll());
                loads.add(++inFlight);
            }
        }
        if (changedTo > 0 && onLimit != null) {
            onLimit.accept(changedTo);
        }
        for (int i = 0; i < ready.size(); i++) {
            ready.get(i).success(loads.get(i));
        }
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
