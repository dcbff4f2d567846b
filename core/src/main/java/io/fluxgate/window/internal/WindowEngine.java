package io.fluxgate.window.internal;

import io.fluxgate.heartbeat.IdleDetector;
import io.fluxgate.heartbeat.Pulse;
import io.fluxgate.window.Checkpoint;
import io.fluxgate.window.LatePolicy;
import io.fluxgate.window.LateRecord;
import io.fluxgate.window.UniqueSketch;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;

/**
 * The windowing algorithm as plain, single-threaded Java: feed records with {@link #onNext}, processing-time ticks
 * with {@link #onTick}, the end with {@link #complete()}, and take results from {@link #results()}. The Reactor
 * subscriber is a thin drain loop around it; the benchmarks' "plain loop" ceiling drives it directly.
 *
 * <p>All event-time arithmetic is in the configured unit and saturates instead of overflowing. Processing time comes
 * from the injected {@code nanoClock} (epoch nanoseconds, e.g. a Reactor scheduler's {@code now}); it is read only when
 * idle flush, partition idleness or the future bound is configured.
 *
 * @param <T> the record type
 */
public final class WindowEngine<T> {

    private static final Comparator<Window> EMISSION_ORDER =
            Comparator.<Window>comparingLong(w -> w.start).thenComparingLong(w -> w.size);

    private final int nSizes;
    private final long[] sizes;
    private final Duration[] sizeDurations;
    private final ChronoUnit unit;
    private final long unitNanos;
    private final long lateness;
    private final ToLongFunction<? super T> eventTime;
    private final Function<? super T, ? extends CharSequence> userId;
    private final ToLongFunction<? super T> userKey;
    private final LatePolicy.Kind policy;
    private final Consumer<Object> sink;
    private final long retention;
    private final boolean approximate;
    private final int lgK;
    private final Function<? super T, ?> partitionOf;
    private final ToLongFunction<? super T> positionOf;
    private final boolean trackPositions;
    private final long futureSkew;
    private final long idleNanos;
    /** The idle-flush detector (the heartbeat package's, on the same clock); null when idle flush is off. */
    private final IdleDetector idle;
    /** Input is {@code Pulse<T>}: items are records, ticks report silence (see {@link #onSilence}). */
    private final boolean pulses;
    private final long partitionTimeoutNanos;
    private final boolean readClockPerRecord;
    private final LongSupplier nanoClock;
    private final WindowStats sharedStats;
    private final WindowSpec.Metrics metrics;

    private final ArrayDeque<WindowCount> out = new ArrayDeque<>();
    private final TreeMap<Long, Window>[] open;
    private final TreeMap<Long, Window>[] retained;
    private final Window[] cache;
    /**
     * Per size, the distinct users of the last window closed: a new window's set starts at that size, because
     * consecutive windows of a steady stream hold about as many users, and growing a set from 16 slots by doubling
     * rehashes every key about once more (measured: ~5 ns of the ~12 ns an insert costs at 45k users per window).
     */
    private final int[] sizeHint;
    private final ArrayList<Window> closing = new ArrayList<>();
    private long nextCloseAt = Long.MAX_VALUE;
    private long nextEvictAt = Long.MAX_VALUE;
    private int openCount;

    private boolean hasWatermark;
    private long watermark = Long.MIN_VALUE;

    private final HashMap<Object, Part> parts = new HashMap<>();
    private final ArrayList<Part> partList = new ArrayList<>();
    private Part lastPart;
    private long minMaxTs = Long.MAX_VALUE;
    private long nextPartitionExpiry = Long.MAX_VALUE;

    private final long[] resumeUpTo;
    private final boolean[] resumed;
    private final long[] emittedUpTo;
    private final boolean[] emittedAny;

    private boolean hasArrival;
    private long watermarkAtLastArrival;
    private long reportedSilenceNanos;
    private long cachedNowUnits = Long.MIN_VALUE;

    private long events;
    private long late;
    private long future;
    private long dropped;
    private long sideOutput;
    private long updated;
    private long replayedSkipped;
    private long windowsEmitted;
    private long revisionsEmitted;
    private WindowStats.Snapshot flushed = WindowStats.Snapshot.EMPTY;

    @SuppressWarnings("unchecked")
    public WindowEngine(WindowSpec<T> spec, LongSupplier nanoClock) {
        this.nSizes = spec.sizeUnits.length;
        this.sizes = spec.sizeUnits.clone();
        this.sizeDurations = spec.sizes.toArray(new Duration[0]);
        this.unit = spec.unit;
        this.unitNanos = unit == ChronoUnit.SECONDS ? 1_000_000_000L : 1_000_000L;
        this.lateness = spec.lateness;
        this.eventTime = spec.eventTime;
        this.userId = spec.userId;
        this.userKey = spec.userKey;
        this.policy = spec.latePolicy.kind();
        this.sink = (Consumer<Object>) spec.latePolicy.sink();
        this.retention = spec.retention;
        this.approximate = spec.approximate;
        this.lgK = spec.lgK;
        this.partitionOf = spec.partitionOf;
        this.positionOf = spec.positionOf;
        this.trackPositions = positionOf != null;
        this.futureSkew = spec.maxFutureSkew;
        this.idleNanos = spec.idleFlush == null ? 0 : Math.max(1, satNanos(spec.idleFlush));
        this.idle = spec.idleFlush == null ? null : new IdleDetector(Duration.ofNanos(idleNanos), nanoClock);
        this.pulses = spec.pulses;
        this.partitionTimeoutNanos = spec.partitionIdleTimeout == null ? 0 : Math.max(1, satNanos(spec.partitionIdleTimeout));
        this.readClockPerRecord = idleNanos > 0 || partitionTimeoutNanos > 0;
        this.nanoClock = nanoClock;
        this.sharedStats = spec.stats;
        this.metrics = spec.metrics;
        this.open = new TreeMap[nSizes];
        this.retained = new TreeMap[nSizes];
        this.cache = new Window[nSizes];
        this.sizeHint = new int[nSizes];
        this.resumeUpTo = new long[nSizes];
        this.resumed = new boolean[nSizes];
        this.emittedUpTo = new long[nSizes];
        this.emittedAny = new boolean[nSizes];
        for (int s = 0; s < nSizes; s++) {
            open[s] = new TreeMap<>();
            retained[s] = new TreeMap<>();
            Long upTo = spec.resume.emittedUpTo().get(sizeDurations[s]);
            if (upTo != null) {
                resumeUpTo[s] = upTo;
                resumed[s] = true;
                emittedUpTo[s] = upTo;
                emittedAny[s] = true;
            }
        }
        long now = readClockPerRecord ? nanoClock.getAsLong() : 0;
        spec.resume.maxEventTimeBefore().forEach((key, max) -> {
            if (partitionOf == null && !Checkpoint.SINGLE_PARTITION.equals(key)) {
                throw new IllegalArgumentException("resume state names partition " + key
                        + " but the operator has no partitions(...); expected only " + Checkpoint.SINGLE_PARTITION);
            }
            Part p = part(key, now);
            if (max != Long.MIN_VALUE) {
                p.maxTs = max;
                p.hasMax = true;
            }
        });
        if (!partList.isEmpty()) {
            recomputeWatermark();
        }
    }

    private static long satNanos(Duration d) {
        return io.fluxgate.internal.Time.saturatedNanos(d);
    }

    static long satAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    static long satSub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /** {@code floorDiv(ts, size) * size}, saturated at {@link Long#MIN_VALUE} for event times near it. */
    static long windowStart(long ts, long size) {
        long start = ts - Math.floorMod(ts, size);
        return start > ts ? Long.MIN_VALUE : start;
    }

    /** Results produced and not yet taken, in emission order. */
    public ArrayDeque<WindowCount> results() {
        return out;
    }

    public int openWindows() {
        return openCount;
    }

    /** The current watermark, or {@link Long#MIN_VALUE} when there is none yet. */
    public long watermark() {
        return hasWatermark ? watermark : Long.MIN_VALUE;
    }

    public boolean hasWatermark() {
        return hasWatermark;
    }

    /**
     * Accounts for one input element; closes (and queues) the windows its watermark advance closes. With a pulse spec
     * ({@code UniqueUsers.Builder#buildForPulses}) the element is a {@link Pulse}: erased to {@code T} so the drain
     * loop stays shared, unwrapped here.
     */
    @SuppressWarnings("unchecked")
    public void onNext(T t) {
        if (pulses) {
            Object o = t;
            if (o instanceof Pulse.Tick<?> tick) {
                onSilence(tick.silence());
                return;
            }
            t = ((Pulse.Item<T>) o).value();
        }
        onRecord(t);
    }

    /**
     * Upstream reported {@code silence} of processing time since its last record or its last report (a heartbeat
     * {@link Pulse.Tick}; {@code Heartbeat} restarts its interval after each tick, so consecutive reports add up to
     * the quiet time since the last record). The watermark moves on by that quiet time, the idle-flush rule.
     */
    public void onSilence(Duration silence) {
        if (!hasArrival || !hasWatermark) {
            return;
        }
        reportedSilenceNanos = satAdd(reportedSilenceNanos, satNanos(silence));
        raiseWatermark(satAdd(watermarkAtLastArrival, reportedSilenceNanos / unitNanos));
        if (watermark >= nextCloseAt || watermark >= nextEvictAt) {
            closeWindows();
        }
    }

    private void onRecord(T t) {
        events++;
        long ts = eventTime.applyAsLong(t);
        long key;
        if (userKey != null) {
            key = userKey.applyAsLong(t);
        } else {
            CharSequence id = userId.apply(t);
            if (id == null) {
                throw new NullPointerException("userId returned null for record " + t);
            }
            key = UidHash.hash(id);
        }
        long now = 0;
        hasArrival = true;
        reportedSilenceNanos = 0;
        if (readClockPerRecord) {
            now = nanoClock.getAsLong();
            if (idle != null) {
                idle.markActive(now);
            }
        }
        Part p = partitionOf == null ? singlePart(now) : partFor(t, now);
        long pos = trackPositions ? positionOf.applyAsLong(t) : 0;
        if (readClockPerRecord) {
            p.lastSeenNanos = now;
            if (!p.active) {
                p.active = true;
                recomputeWatermark();
            }
            if (partitionTimeoutNanos > 0 && now >= nextPartitionExpiry) {
                expirePartitions(now);
            }
        }
        long maxBefore = p.hasMax ? p.maxTs : Long.MIN_VALUE;
        if (trackPositions) {
            p.lastPos = pos;
            p.hasPos = true;
        }
        if (futureSkew >= 0 && isFuture(ts)) {
            for (int s = 0; s < nSizes; s++) {
                long start = windowStart(ts, sizes[s]);
                future++;
                reject(t, ts, s, start, LateRecord.Reason.FUTURE);
            }
        } else {
            if (!p.hasMax || ts > p.maxTs) {
                advancePartition(p, ts);
            }
            long[] sz = sizes;
            for (int s = 0; s < nSizes; s++) {
                Window w = cache[s];
                if (w != null && ts >= w.start && ts < w.end) {
                    // The cached window is open (closing clears it), so neither skipped nor late: no division.
                    w.add(key);
                    if (trackPositions) {
                        w.track(p.index, pos, maxBefore);
                    }
                    continue;
                }
                long size = sz[s];
                long start = windowStart(ts, size);
                long end = satAdd(start, size);
                if (resumed[s] && end <= resumeUpTo[s]) {
                    replayedSkipped++;
                    continue;
                }
                if (hasWatermark && end <= watermark) {
                    onLate(t, ts, s, start, end, key, p, pos, maxBefore);
                    continue;
                }
                w = openWindow(s, start, end);
                w.add(key);
                if (trackPositions) {
                    w.track(p.index, pos, maxBefore);
                }
            }
        }
        if (hasWatermark && (watermark >= nextCloseAt || watermark >= nextEvictAt)) {
            closeWindows();
        }
        watermarkAtLastArrival = watermark;
    }

    private boolean isFuture(long ts) {
        if (satSub(ts, cachedNowUnits) <= futureSkew) {
            return false;
        }
        // The cached clock can only be behind, so a record within the bound is never refused; re-read to confirm.
        cachedNowUnits = Math.floorDiv(nanoClock.getAsLong(), unitNanos);
        return satSub(ts, cachedNowUnits) > futureSkew;
    }

    private void advancePartition(Part p, long ts) {
        boolean wasMin = !p.hasMax || p.maxTs == minMaxTs;
        p.maxTs = ts;
        p.hasMax = true;
        if (partList.size() == 1) {
            if (p.active) {
                minMaxTs = ts;
                raiseWatermark(satSub(ts, lateness));
            }
        } else if (wasMin && p.active) {
            recomputeWatermark();
        }
    }

    private void raiseWatermark(long candidate) {
        if (!hasWatermark || candidate > watermark) {
            watermark = candidate;
            hasWatermark = true;
        }
    }

    private void recomputeWatermark() {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (int i = 0, n = partList.size(); i < n; i++) {
            Part q = partList.get(i);
            if (q.active && q.hasMax) {
                any = true;
                if (q.maxTs < min) {
                    min = q.maxTs;
                }
            }
        }
        minMaxTs = min;
        if (any) {
            raiseWatermark(satSub(min, lateness));
        }
    }

    private Part singlePart(long now) {
        Part p = lastPart;
        return p != null ? p : part(Checkpoint.SINGLE_PARTITION, now);
    }

    private Part partFor(T t, long now) {
        Object k = partitionOf.apply(t);
        if (k == null) {
            throw new NullPointerException("partitionOf returned null for record " + t);
        }
        Part p = lastPart;
        if (p != null && (p.key == k || p.key.equals(k))) {
            return p;
        }
        p = parts.get(k);
        if (p == null) {
            p = part(k, now);
        }
        lastPart = p;
        return p;
    }

    private Part part(Object key, long now) {
        Part p = parts.get(key);
        if (p == null) {
            p = new Part(key, partList.size());
            p.lastSeenNanos = now;
            parts.put(key, p);
            partList.add(p);
            if (partitionTimeoutNanos > 0) {
                nextPartitionExpiry = Math.min(nextPartitionExpiry, satAdd(now, partitionTimeoutNanos));
            }
        }
        lastPart = p;
        return p;
    }

    private void expirePartitions(long now) {
        long next = Long.MAX_VALUE;
        boolean changed = false;
        for (int i = 0, n = partList.size(); i < n; i++) {
            Part q = partList.get(i);
            if (!q.active) {
                continue;
            }
            long expiry = satAdd(q.lastSeenNanos, partitionTimeoutNanos);
            if (now >= expiry) {
                q.active = false;
                changed = true;
            } else {
                next = Math.min(next, expiry);
            }
        }
        nextPartitionExpiry = next;
        if (changed) {
            recomputeWatermark();
        }
    }

    private Window openWindow(int s, long start, long end) {
        TreeMap<Long, Window> m = open[s];
        Window w = m.get(start);
        if (w == null) {
            w = new Window(start, end, sizes[s], s, approximate, lgK, sizeHint[s]);
            m.put(start, w);
            openCount++;
            if (metrics != null) {
                metrics.openWindows.incrementAndGet();
            }
            if (end < nextCloseAt) {
                nextCloseAt = end;
            }
        }
        cache[s] = w;
        return w;
    }

    private void onLate(T t, long ts, int s, long start, long end, long key, Part p, long pos, long maxBefore) {
        late++;
        if (policy == LatePolicy.Kind.UPDATE) {
            if (watermark < satAdd(end, retention)) {
                updated++;
                Window r = retained[s].get(start);
                boolean first = r == null;
                if (first) {
                    r = new Window(start, end, sizes[s], s, approximate, lgK, 0);
                    retainWindow(r);
                }
                r.add(key);
                if (trackPositions) {
                    r.track(p.index, pos, maxBefore);
                }
                if (first) {
                    windowsEmitted++;
                    noteEmitted(r);
                    emit(r, 0, -1);
                } else {
                    revisionsEmitted++;
                    emit(r, ++r.revision, -1);
                }
            } else {
                dropped++;
                flushStats();
            }
            return;
        }
        reject(t, ts, s, start, LateRecord.Reason.LATE);
    }

    private void reject(T t, long ts, int s, long start, LateRecord.Reason reason) {
        if (policy == LatePolicy.Kind.SIDE_OUTPUT) {
            sideOutput++;
            sink.accept(new LateRecord<>(t, ts, start, sizeDurations[s], reason));
        } else {
            dropped++;
        }
        flushStats();
    }

    private void retainWindow(Window w) {
        retained[w.sizeIndex].put(w.start, w);
        long evictAt = satAdd(w.end, retention);
        if (evictAt < nextEvictAt) {
            nextEvictAt = evictAt;
        }
    }

    private void noteEmitted(Window w) {
        int s = w.sizeIndex;
        if (!emittedAny[s] || w.end > emittedUpTo[s]) {
            emittedUpTo[s] = w.end;
            emittedAny[s] = true;
        }
    }

    private void closeWindows() {
        long wm = watermark;
        if (wm >= nextEvictAt) {
            long next = Long.MAX_VALUE;
            for (int s = 0; s < nSizes; s++) {
                TreeMap<Long, Window> m = retained[s];
                while (!m.isEmpty()) {
                    Window r = m.firstEntry().getValue();
                    long evictAt = satAdd(r.end, retention);
                    if (evictAt <= wm) {
                        m.pollFirstEntry();
                    } else {
                        // Ordered by start, and for one size end + retention grows with start.
                        next = Math.min(next, evictAt);
                        break;
                    }
                }
            }
            nextEvictAt = next;
        }
        if (wm < nextCloseAt) {
            return;
        }
        ArrayList<Window> list = closing;
        long next = Long.MAX_VALUE;
        for (int s = 0; s < nSizes; s++) {
            TreeMap<Long, Window> m = open[s];
            while (!m.isEmpty()) {
                Window w = m.firstEntry().getValue();
                if (w.end <= wm) {
                    m.pollFirstEntry();
                    list.add(w);
                } else {
                    next = Math.min(next, w.end);
                    break;
                }
            }
            Window c = cache[s];
            if (c != null && c.end <= wm) {
                cache[s] = null;
            }
        }
        nextCloseAt = next;
        emitAll(list);
    }

    private void emitAll(ArrayList<Window> list) {
        if (list.size() > 1) {
            list.sort(EMISSION_ORDER);
        }
        boolean retain = policy == LatePolicy.Kind.UPDATE;
        for (int i = 0, n = list.size(); i < n; i++) {
            Window w = list.get(i);
            openCount--;
            if (metrics != null) {
                metrics.openWindows.decrementAndGet();
            }
            windowsEmitted++;
            if (w.set != null) {
                sizeHint[w.sizeIndex] = w.set.size();
            }
            noteEmitted(w);
            if (retain && hasWatermark && watermark < satAdd(w.end, retention)) {
                retainWindow(w);
            }
            emit(w, 0, i + 1);
        }
        list.clear();
    }

    /**
     * Queues the result of {@code w}. {@code heldFrom} is the index in {@link #closing} of the first window closed in
     * the same step but emitted after this one (those still hold their records), or -1 outside a closing step.
     */
    private void emit(Window w, int revision, int heldFrom) {
        // counted in HLL_8 (a byte per register: the cheapest update) and published as it is, a copy (a window retained
        // for late updates goes on counting); UniqueSketch writes the HLL_4 image it has always written when asked.
        // (Each result used to go through an HLL_4 copy, its image and a parse of that image: in a counting process
        // the only use of datasketches-memory's ~30 classes, loaded and compiled for results nobody serialized.)
        UniqueSketch sketch = approximate ? SketchAccess.wrap(w.sketch.copy()) : null;
        long users = approximate ? Math.round(w.sketch.getEstimate()) : w.set.size();
        Checkpoint cp = trackPositions ? checkpoint(heldFrom) : null;
        out.add(new WindowCount(w.start, w.end, sizeDurations[w.sizeIndex], unit, users, w.events, revision, sketch,
                snapshot(), cp));
        flushStats();
    }

    private Checkpoint checkpoint(int heldFrom) {
        int n = partList.size();
        long[] minPos = new long[n];
        long[] before = new long[n];
        Arrays.fill(minPos, Long.MAX_VALUE);
        for (int s = 0; s < nSizes; s++) {
            for (Window w : open[s].values()) {
                w.minInto(minPos, before);
            }
            for (Window w : retained[s].values()) {
                w.minInto(minPos, before);
            }
        }
        if (heldFrom >= 0) {
            for (int i = heldFrom; i < closing.size(); i++) {
                closing.get(i).minInto(minPos, before);
            }
        }
        Map<Object, Checkpoint.Mark> marks = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Part p = partList.get(i);
            if (minPos[i] != Long.MAX_VALUE) {
                marks.put(p.key, new Checkpoint.Mark(minPos[i], before[i]));
            } else if (p.hasPos) {
                marks.put(p.key, new Checkpoint.Mark(satAdd(p.lastPos, 1), p.hasMax ? p.maxTs : Long.MIN_VALUE));
            }
        }
        Map<Duration, Long> upTo = new LinkedHashMap<>();
        for (int s = 0; s < nSizes; s++) {
            if (emittedAny[s]) {
                upTo.put(sizeDurations[s], emittedUpTo[s]);
            }
        }
        return new Checkpoint(marks, upTo);
    }

    /**
     * Advances processing time to {@code nowNanos}: expires idle partitions and, when the stream has been quiet for
     * the idle-flush interval, moves the watermark on by the processing time since the last record.
     *
     * @return nanoseconds until the next tick is useful, or -1 when no timer is needed
     */
    public long onTick(long nowNanos) {
        long next = Long.MAX_VALUE;
        if (partitionTimeoutNanos > 0) {
            if (nowNanos >= nextPartitionExpiry) {
                expirePartitions(nowNanos);
            }
            if (nextPartitionExpiry != Long.MAX_VALUE) {
                next = Math.min(next, nextPartitionExpiry - nowNanos);
            } else {
                next = Math.min(next, partitionTimeoutNanos);
            }
        }
        if (idle != null) {
            if (!hasArrival || !hasWatermark) {
                next = Math.min(next, idleNanos);
            } else {
                long untilIdle = idle.nanosUntilIdle(nowNanos);
                if (untilIdle <= 0) {
                    raiseWatermark(satAdd(watermarkAtLastArrival, idle.silenceNanos(nowNanos) / unitNanos));
                    next = Math.min(next, idleNanos);
                } else {
                    next = Math.min(next, untilIdle);
                }
            }
        }
        if (hasWatermark && (watermark >= nextCloseAt || watermark >= nextEvictAt)) {
            closeWindows();
        }
        return next == Long.MAX_VALUE ? -1 : Math.max(1, next);
    }

    /** End of input: queues every open window in ascending (start, size) order; retained windows are dropped. */
    public void complete() {
        ArrayList<Window> list = closing;
        for (int s = 0; s < nSizes; s++) {
            list.addAll(open[s].values());
            open[s].clear();
            retained[s].clear();
            cache[s] = null;
        }
        nextCloseAt = Long.MAX_VALUE;
        nextEvictAt = Long.MAX_VALUE;
        emitAll(list);
        flushStats();
    }

    /** Drops all state (cancel or error), folding the counts into the shared stats and metrics. */
    public void discard() {
        if (metrics != null && openCount != 0) {
            metrics.openWindows.addAndGet(-openCount);
        }
        openCount = 0;
        for (int s = 0; s < nSizes; s++) {
            open[s].clear();
            retained[s].clear();
            cache[s] = null;
        }
        closing.clear();
        out.clear();
        flushStats();
    }

    public WindowStats.Snapshot snapshot() {
        return new WindowStats.Snapshot(events, late, future, dropped, sideOutput, updated, replayedSkipped,
                windowsEmitted, revisionsEmitted);
    }

    private void flushStats() {
        if (sharedStats == null && metrics == null) {
            return;
        }
        WindowStats.Snapshot now = snapshot();
        WindowStats.Snapshot d = WindowStats.delta(now, flushed);
        flushed = now;
        if (sharedStats != null) {
            sharedStats.add(d);
        }
        if (metrics != null) {
            metrics.add(d);
        }
    }

    /** Per-partition watermark and checkpoint state. */
    private static final class Part {
        final Object key;
        final int index;
        long maxTs = Long.MIN_VALUE;
        boolean hasMax;
        boolean active = true;
        long lastSeenNanos;
        long lastPos;
        boolean hasPos;

        Part(Object key, int index) {
            this.key = key;
            this.index = index;
        }
    }

    /** One window's users, plus, with positions, per partition the first position held and the max event time before it. */
    static final class Window {
        final long start;
        final long end;
        final long size;
        final int sizeIndex;
        final LongHashSet set;
        final HllSketch sketch;
        long events;
        int revision;
        long[] minPos;
        long[] maxBefore;

        Window(long start, long end, long size, int sizeIndex, boolean approximate, int lgK, int expectedUsers) {
            this.start = start;
            this.end = end;
            this.size = size;
            this.sizeIndex = sizeIndex;
            this.set = approximate ? null : new LongHashSet(expectedUsers);
            this.sketch = approximate ? new HllSketch(lgK, TgtHllType.HLL_8) : null;
        }

        void add(long key) {
            events++;
            if (set != null) {
                set.add(key);
            } else {
                sketch.update(key);
            }
        }

        void track(int partition, long pos, long maxTsBefore) {
            if (minPos == null || minPos.length <= partition) {
                int old = minPos == null ? 0 : minPos.length;
                int len = Math.max(partition + 1, old * 2);
                minPos = minPos == null ? new long[len] : Arrays.copyOf(minPos, len);
                maxBefore = maxBefore == null ? new long[len] : Arrays.copyOf(maxBefore, len);
                Arrays.fill(minPos, old, len, Long.MAX_VALUE);
            }
            if (pos < minPos[partition]) {
                minPos[partition] = pos;
                maxBefore[partition] = maxTsBefore;
            }
        }

        void minInto(long[] min, long[] before) {
            if (minPos == null) {
                return;
            }
            for (int i = 0, n = Math.min(min.length, minPos.length); i < n; i++) {
                if (minPos[i] < min[i]) {
                    min[i] = minPos[i];
                    before[i] = maxBefore[i];
                }
            }
        }
    }
}
