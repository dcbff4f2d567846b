package io.fluxgate.breaker.internal;

/**
 * Calls in flight, in a few intrusive linked lists (stripes, chosen by thread) so adding and removing is O(1)
 * under a lock that is rarely contended. Each list is in start order (approximately, across threads that share
 * a stripe), so counting the calls older than a cutoff stops at the first younger one.
 */
final class InFlightRegistry {
    static final class Stripe {
        InFlightCall head;
        InFlightCall tail;
        volatile int size;
    }

    private final Stripe[] stripes;
    private final int mask;

    InFlightRegistry() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) * 2;
        n = Math.min(n, 64);
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
        mask = n - 1;
    }

    void add(InFlightCall call) {
        Stripe s = stripes[(int) Thread.currentThread().getId() & mask];
        synchronized (s) {
            call.stripe = s;
            call.prev = s.tail;
            if (s.tail == null) {
                s.head = call;
            } else {
                s.tail.next = call;
            }
            s.tail = call;
            s.size = s.size + 1;
        }
    }

    void remove(InFlightCall call) {
        Stripe s = call.stripe;
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (call.stripe == null) {
                return;
            }
            if (call.prev == null) {
                s.head = call.next;
            } else {
                call.prev.next = call.next;
            }
            if (call.next == null) {
                s.tail = call.prev;
            } else {
                call.next.prev = call.prev;
            }
            call.prev = call.next = null;
            call.stripe = null;
            s.size = s.size - 1;
        }
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.size;
        }
        return n;
    }

    /** Calls of {@code phase} that started at or before {@code cutoffNanos}. */
    int countStartedBefore(StateMachine.Phase phase, long cutoffNanos) {
        int n = 0;
        for (Stripe s : stripes) {
            if (s.size == 0) {
                continue;
            }
            synchronized (s) {
                for (InFlightCall c = s.head; c != null && c.startNanos - cutoffNanos <= 0; c = c.next) {
                    if (c.phase == phase) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
