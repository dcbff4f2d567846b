package io.fluxgate.heartbeat;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import io.fluxgate.heartbeat.internal.HeartbeatSubscriber;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Keep-alive injection: when upstream has been silent for an interval, a heartbeat element goes downstream, so
 * an SSE connection, a WebSocket or a consumer's liveness check sees traffic.
 *
 * <pre>{@code
 * // same element type: a user-supplied keep-alive
 * events.transform(Heartbeat.every(Duration.ofSeconds(15)).inject(() -> ServerSentEvent.<Event>builder().comment("ping").build()))
 * // a typed merged stream
 * events.transform(Heartbeat.every(Duration.ofSeconds(15)).ticks())   // Flux<Pulse<Event>>
 * }</pre>
 *
 * <p><b>Timing.</b> Silence is measured on the {@link Scheduler}'s clock ({@link IdleDetector#clockOf}, the clock
 * every timed Fluxgate operator uses, virtual under {@code StepVerifier.withVirtualTime}) from subscription, from the
 * last upstream element, and from the last heartbeat. After {@code interval} of silence one heartbeat becomes pending.
 *
 * <p><b>Backpressure.</b> A heartbeat takes one unit of downstream demand and is emitted only with demand. At most one
 * is ever pending: a silence with no demand yields a single beat on the next request, not a backlog; an upstream
 * element arriving first drops the pending beat (it proves liveness itself). Upstream is requested no more than
 * downstream demand; when beats used demand upstream had already been granted, the few elements upstream then sends
 * wait in a queue bounded by the number of those beats and go out on the next request.
 *
 * <p><b>Termination, cancel.</b> Completion delivers queued elements then completes, dropping a pending beat; an
 * error is delivered at once and discards queued elements through {@code Operators.onDiscard}; cancel stops the timer
 * and discards queued elements; cancel is idempotent. The beat supplier throwing or returning null fails the stream.
 */
public final class Heartbeat {

    /** Default stage name. */
    public static final String DEFAULT_NAME = "heartbeat";

    private Heartbeat() {
    }

    /**
     * Starts a heartbeat; defaults: {@code Schedulers.parallel()} for the clock and timer. Idle detection
     * ({@link IdleDetector}) is shared with the window operator's idle flush, and {@link Builder#ticks()} feeds it
     * directly ({@code UniqueUsers.Builder#buildForPulses()}).
     *
     * @param interval the silence after which a heartbeat is injected
     * @return a builder; nothing runs until the built transformer is subscribed
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public static Builder every(Duration interval) {
        return new Builder(Checks.requirePositive("interval", interval));
    }

    /** Settings; immutable once the transformer is built. */
    public static final class Builder {
        private final Duration interval;
        @Nullable
        private Scheduler scheduler;
        private String name = DEFAULT_NAME;
        @Nullable
        private MeterRegistry meterRegistry;

        private Builder(Duration interval) {
            this.interval = interval;
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value Heartbeat#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.heartbeat.beats} (counter: heartbeats injected),
         * tagged {@code name}. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        private Runnable beatCounter() {
            StageMeters m = meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(meterRegistry, "heartbeat", name);
            return m.counter("beats", "heartbeats injected");
        }

        private Object[] settings() {
            return new Object[] {"name", name, "interval", interval, "scheduler", scheduler != null ? scheduler : "parallel"};
        }

        /**
         * The scheduler whose clock and timers measure silence; {@code Schedulers.parallel()} by default, per subscription.
         *
         * @param scheduler supplies the clock and runs the timer
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param beat called once per heartbeat, at emission time
         * @param <T> the element type
         * @return {@code Flux<T> -> Flux<T>} with {@code beat.get()} injected after each silence
         */
        public <T> Function<Flux<T>, Flux<T>> inject(Supplier<? extends T> beat) {
            Objects.requireNonNull(beat, "beat");
            Duration i = interval;
            Scheduler s = scheduler;
            Runnable beats = beatCounter();
            return Described.of("Heartbeat", flux -> new FluxHeartbeat<T>(flux, (seq, silence) -> {
                beats.run();
                return beat.get();
            }, i, s), settings());
        }

        /**
         * The ticks feed operators with an idle rule: {@code UniqueUsers.Builder#buildForPulses()} takes this stream
         * and advances its watermark by each tick's {@link Pulse.Tick#silence() silence}, so a quiet source still
         * closes its last event-time window (the heartbeat restarts its interval after every tick, so consecutive
         * silences add up to the time since the last item):
         * <pre>{@code
         * events.transform(Heartbeat.every(Duration.ofSeconds(10)).scheduler(s).ticks())
         *       .transform(UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
         *               .userId(Event::user).eventTimeMillis(Event::ts).scheduler(s).buildForPulses())
         * }</pre>
         *
         * @param <T> the upstream element type
         * @return {@code Flux<T> -> Flux<Pulse<T>>}: upstream elements as {@link Pulse.Item}, heartbeats as {@link Pulse.Tick}
         */
        public <T> Function<Flux<T>, Flux<Pulse<T>>> ticks() {
            Duration i = interval;
            Scheduler s = scheduler;
            Runnable beats = beatCounter();
            return Described.of("Heartbeat.ticks", flux -> new FluxHeartbeat<Pulse<T>>(flux.map(Pulse.Item::new),
                    (seq, silence) -> {
                        beats.run();
                        return new Pulse.Tick<>(seq, Duration.ofNanos(silence));
                    }, i, s), settings());
        }
    }

    private static final class FluxHeartbeat<T> extends FluxOperator<T, T> {
        private final HeartbeatSubscriber.BeatFactory<? extends T> beats;
        private final Duration interval;
        @Nullable
        private final Scheduler scheduler;

        FluxHeartbeat(Flux<? extends T> source, HeartbeatSubscriber.BeatFactory<? extends T> beats, Duration interval,
                      @Nullable Scheduler scheduler) {
            super(source);
            this.beats = beats;
            this.interval = interval;
            this.scheduler = scheduler;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            Scheduler s = Time.schedulerOr(scheduler);
            source.subscribe(new HeartbeatSubscriber<>(actual, beats, interval, s));
        }

        @Override
        @Nullable
        public Object scanUnsafe(Attr key) {
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return super.scanUnsafe(key);
        }
    }
}
