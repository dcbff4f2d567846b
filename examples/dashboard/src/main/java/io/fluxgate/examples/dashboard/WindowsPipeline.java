package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.heartbeat.Heartbeat;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.metrics.StageMetrics;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The read side: the frames topic → parse → unique users per window → a hot stream of closed windows that every
 * {@code /windows/stream} client shares, each new one receiving the last {@code fluxgate.windows.replay} windows
 * first.
 *
 * <pre>{@code
 * source.receive()
 *       .transform(parse)                                   // StageMetrics "parse", StallWatchdog "parse"
 *       .transform(windows)                                 // StageMetrics "windows", StallWatchdog "windows":
 *                                                           //   Heartbeat ticks -> UniqueUsers.buildForPulses()
 * }</pre>
 *
 * <p>The heartbeat's ticks drive the window operator's idle flush: when no frame arrives, the watermark moves on by
 * the time that passed, so the last window of a quiet stream still closes ({@code fluxgate.windows.idle-flush}).
 *
 * <p>A frame is acknowledged (its offset may be committed) once it is parsed: the dashboard is a view, and after a
 * restart the window that was open shows only the frames read since. A line in the topic that is not a frame
 * (written by someone else) is counted ({@code fluxgate.dashboard.frames.malformed}) and skipped. If the consumer
 * fails, the pipeline starts again after a back-off; the windows open at that moment are lost.
 */
final class WindowsPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WindowsPipeline.class);

    /** A parsed frame and the partition it came from (each partition has its own watermark). */
    record Frame(String uid, long ts, int partition) {
    }

    /**
     * A closed window as JSON.
     *
     * @param start       window start, epoch seconds (inclusive)
     * @param end         window end, epoch seconds (exclusive)
     * @param uniqueUsers distinct users
     * @param events      frames counted, duplicates included
     */
    record WindowView(long start, long end, long uniqueUsers, long events) {
        static WindowView of(WindowCount w) {
            return new WindowView(w.start(), w.end(), w.uniqueUsers(), w.events());
        }
    }

    private final KafkaSource<byte[], byte[]> source;
    private final Function<Flux<KafkaRecord<byte[], byte[]>>, Flux<Frame>> parse;
    private final Function<Flux<Frame>, Flux<WindowCount>> windows;
    private final Sinks.Many<WindowView> closed;
    private final WindowStats stats = new WindowStats();
    private Disposable running;

    WindowsPipeline(KafkaSource<byte[], byte[]> source, DashboardProperties.Windows config, StallWatchdog parseWatchdog,
                    StallWatchdog windowsWatchdog, MeterRegistry registry) {
        this.source = source;
        this.closed = Sinks.many().replay().limit(config.replay());
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Counter malformed = Counter.builder("fluxgate.dashboard.frames.malformed")
                .description("records of the frames topic that are not frames (skipped)").register(registry);
        Function<Flux<KafkaRecord<byte[], byte[]>>, Flux<Frame>> parseStage = records -> records.handle((r, sink) -> {
            FrameResult result = reader.read(r.value());
            r.ack();
            if (result instanceof FrameResult.Frame f) {
                sink.next(new Frame(f.uid(), f.ts(), r.partition()));
            } else if (result instanceof FrameResult.Malformed m) {
                malformed.increment();
                log.debug("skipped {}: {}", r, m.reason());
            }
        });
        // latency off: a skipped record would pair the next frame's exit with its entry
        this.parse = StageMetrics.builder().name("parse").meterRegistry(registry).latency(false)
                .build(parseWatchdog.watch(parseStage));

        UniqueUsers.Builder<Frame> counting = UniqueUsers.<Frame>perWindow(config.size())
                .userId(Frame::uid)
                .eventTimeSeconds(Frame::ts)
                .allowedLateness(config.lateness())
                .partitions(Frame::partition)
                .partitionIdleTimeout(config.idleFlush())
                .stats(stats)
                .meterRegistry(registry);
        Function<Flux<Frame>, Flux<WindowCount>> windowStage = frames -> frames
                .transform(Heartbeat.every(config.idleFlush()).ticks())
                .transform(counting.buildForPulses());
        // latency off: a window holds many frames, entry and exit do not pair up
        this.windows = StageMetrics.builder().name("windows").meterRegistry(registry).latency(false)
                .build(windowsWatchdog.watch(windowStage));
    }

    /** Starts consuming; idempotent. */
    synchronized void start() {
        if (running != null) {
            return;
        }
        running = source.receive()
                .transform(parse)
                .transform(windows)
                .map(WindowView::of)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
                        .maxBackoff(Duration.ofSeconds(30))
                        .transientErrors(true)
                        .doBeforeRetry(s -> log.warn("windows pipeline failed, restarting it: {}", s.failure().toString())))
                .subscribe(this::emit, e -> log.error("windows pipeline stopped", e));
    }

    private void emit(WindowView w) {
        // a single subscriber emits, serially
        closed.tryEmitNext(w);
    }

    /** Closed windows: the last {@code replay} ones, then each one as it closes; never completes. */
    Flux<WindowView> closedWindows() {
        return closed.asFlux();
    }

    /** Cumulative counters of the window operator (frames counted, late frames, windows emitted). */
    WindowStats stats() {
        return stats;
    }

    @Override
    public synchronized void close() {
        if (running != null) {
            running.dispose();
            running = null;
        }
        closed.tryEmitComplete();
    }
}
