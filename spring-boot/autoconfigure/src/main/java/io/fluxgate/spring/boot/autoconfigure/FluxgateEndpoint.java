package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerMetrics;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.valve.Valve;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Actuator endpoint {@code fluxgate}: every instance of every kind with its state and settings
 * ({@code GET /actuator/fluxgate}), one instance ({@code GET /actuator/fluxgate/{kind}/{name}}), and
 * {@code POST /actuator/fluxgate/{kind}/{name}} with {@code {"state": ...}} to force a breaker's state
 * ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code DISABLED}, {@code FORCED_OPEN}, {@code METRICS_ONLY}, or
 * {@code RESET}) or pause and resume a valve ({@code PAUSED} or {@code OPEN}). Kinds: {@value #BREAKERS},
 * {@value #RATE_LIMITERS}, {@value #WORKERS}, {@value #RETRIES}, {@value #WATCHDOGS}, {@value #BATCHES},
 * {@value #VALVES}. Durations are ISO-8601 strings ({@code PT30S}).
 */
@Endpoint(id = "fluxgate")
public class FluxgateEndpoint {

    /** Kind of the circuit breakers. */
    public static final String BREAKERS = "circuitbreakers";
    /** Kind of the rate limiters. */
    public static final String RATE_LIMITERS = "ratelimiters";
    /** Kind of the worker pools. */
    public static final String WORKERS = "workers";
    /** Kind of the retries. */
    public static final String RETRIES = "retries";
    /** Kind of the stall watchdogs. */
    public static final String WATCHDOGS = "watchdogs";
    /** Kind of the batchers. */
    public static final String BATCHES = "batches";
    /** Kind of the valves. */
    public static final String VALVES = "valves";

    private final FluxgateCircuitBreakers breakers;
    private final FluxgateRateLimiters rateLimiters;
    private final FluxgateWorkers workers;
    private final FluxgateRetries retries;
    private final FluxgateWatchdogs watchdogs;
    private final FluxgateBatches batches;
    private final FluxgateValves valves;

    /**
     * An endpoint over the registries.
     *
     * @param breakers the circuit breakers
     * @param rateLimiters the rate limiters
     * @param workers the worker pools
     * @param retries the retries
     * @param watchdogs the stall watchdogs
     * @param batches the batchers
     * @param valves the valves
     */
    public FluxgateEndpoint(FluxgateCircuitBreakers breakers, FluxgateRateLimiters rateLimiters,
                            FluxgateWorkers workers, FluxgateRetries retries, FluxgateWatchdogs watchdogs,
                            FluxgateBatches batches, FluxgateValves valves) {
        this.breakers = breakers;
        this.rateLimiters = rateLimiters;
        this.workers = workers;
        this.retries = retries;
        this.watchdogs = watchdogs;
        this.batches = batches;
        this.valves = valves;
    }

    /**
     * Every instance of every kind.
     *
     * @return kind → name → state and settings
     */
    @ReadOperation
    public Map<String, Map<String, Map<String, Object>>> instances() {
        Map<String, Map<String, Map<String, Object>>> out = new LinkedHashMap<>();
        out.put(BREAKERS, each(breakers.all(), (n, b) -> breaker(b.circuitBreaker())));
        out.put(RATE_LIMITERS, each(rateLimiters.all(), this::rateLimiter));
        out.put(WORKERS, each(workers.all(), (n, p) -> workers(p)));
        out.put(RETRIES, each(retries.all(), (n, r) -> retry(n)));
        out.put(WATCHDOGS, each(watchdogs.all(), (n, w) -> watchdog(w)));
        out.put(BATCHES, each(batches.all(), (n, b) -> batch(n)));
        out.put(VALVES, each(valves.all(), (n, v) -> valve(v)));
        return out;
    }

    /**
     * One instance.
     *
     * @param kind one of the kinds in the class comment
     * @param name the instance's name
     * @return its state and settings, or null (404) when there is no such instance
     */
    @ReadOperation
    public @Nullable Map<String, Object> instance(@Selector String kind, @Selector String name) {
        Map<String, Map<String, Object>> ofKind = instances().get(kind(kind));
        return ofKind == null ? null : ofKind.get(name);
    }

    /**
     * Forces a breaker's state, or pauses or resumes a valve.
     *
     * @param kind {@value #BREAKERS} or {@value #VALVES}
     * @param name the instance's name; it must exist
     * @param state for a breaker CLOSED, OPEN, HALF_OPEN, DISABLED, FORCED_OPEN, METRICS_ONLY or RESET; for a valve
     *     PAUSED or OPEN (also PAUSE and RESUME)
     * @return the instance after the change
     * @throws InvalidEndpointRequestException (400) for another kind, an unknown name or state, or a transition the
     *     breaker refuses
     */
    @WriteOperation
    public Map<String, Object> update(@Selector String kind, @Selector String name, String state) {
        String k = kind(kind);
        String s = state.trim().toUpperCase(Locale.ROOT);
        if (BREAKERS.equals(k)) {
            FluxgateCircuitBreakers.Breaker b = breakers.all().get(name);
            if (b == null) {
                throw new InvalidEndpointRequestException("no circuit breaker '" + name + "' (breakers: "
                        + breakers.all().keySet() + ")", "no such breaker");
            }
            CircuitBreaker cb = b.circuitBreaker();
            try {
                switch (s) {
                    case "CLOSED" -> cb.transitionToClosedState();
                    case "OPEN" -> cb.transitionToOpenState();
                    case "HALF_OPEN" -> cb.transitionToHalfOpenState();
                    case "DISABLED" -> cb.transitionToDisabledState();
                    case "FORCED_OPEN" -> cb.transitionToForcedOpenState();
                    case "METRICS_ONLY" -> cb.transitionToMetricsOnlyState();
                    case "RESET" -> cb.reset();
                    default -> throw new InvalidEndpointRequestException("state '" + state + "' is none of CLOSED, "
                            + "OPEN, HALF_OPEN, DISABLED, FORCED_OPEN, METRICS_ONLY, RESET", "bad state");
                }
            } catch (IllegalStateException e) {
                throw new InvalidEndpointRequestException(e.getMessage(), "transition refused");
            }
            return breaker(cb);
        }
        if (VALVES.equals(k)) {
            Valve v = valves.all().get(name);
            if (v == null) {
                throw new InvalidEndpointRequestException("no valve '" + name + "' (valves: " + valves.all().keySet()
                        + ")", "no such valve");
            }
            switch (s) {
                case "PAUSED", "PAUSE" -> v.pause();
                case "OPEN", "RESUME", "RESUMED" -> v.resume();
                default -> throw new InvalidEndpointRequestException("state '" + state + "' is neither PAUSED nor OPEN",
                        "bad state");
            }
            return valve(v);
        }
        throw new InvalidEndpointRequestException("only " + BREAKERS + " and " + VALVES + " can be changed, not '"
                + kind + "'", "read-only kind");
    }

    private static String kind(String kind) {
        return kind.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    private static <I> Map<String, Map<String, Object>> each(Map<String, I> all,
                                                            BiFunction<String, I, Map<String, Object>> describe) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        all.forEach((n, i) -> out.put(n, describe.apply(n, i)));
        return out;
    }

    static Map<String, Object> breaker(CircuitBreaker cb) {
        CircuitBreakerMetrics m = cb.metrics();
        CircuitBreakerConfig c = cb.config();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", cb.state().name());
        d.put("failureRate", m.failureRate());
        d.put("slowCallRate", m.slowCallRate());
        d.put("bufferedCalls", m.bufferedCalls());
        d.put("failedCalls", m.failedCalls());
        d.put("slowCalls", m.slowCalls());
        d.put("notPermittedCalls", m.notPermittedCalls());
        d.put("inFlightCalls", m.inFlightCalls());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("failureRateThreshold", c.failureRateThreshold());
        s.put("slowCallRateThreshold", c.slowCallRateThreshold());
        s.put("slowCallDurationThreshold", c.slowCallDurationThreshold().toString());
        s.put("permittedNumberOfCallsInHalfOpenState", c.permittedNumberOfCallsInHalfOpenState());
        s.put("maxWaitDurationInHalfOpenState", c.maxWaitDurationInHalfOpenState().toString());
        s.put("slidingWindowType", c.slidingWindowType().name());
        s.put("slidingWindowSize", c.slidingWindowSize());
        s.put("minimumNumberOfCalls", c.minimumNumberOfCalls());
        s.put("waitDurationInOpenState", c.waitDurationInOpenState().toString());
        s.put("exponentialBackoffMultiplier", c.openBackoffMultiplier());
        if (c.maxWaitDurationInOpenState() != null) {
            s.put("exponentialMaxWaitDurationInOpenState", c.maxWaitDurationInOpenState().toString());
        }
        s.put("writableStackTraceEnabled", c.writableStackTraceEnabled());
        d.put("settings", s);
        return d;
    }

    private Map<String, Object> rateLimiter(String name, RateLimiter l) {
        Resolved<FluxgateRateLimiterProperties.Settings> r = rateLimiters.resolved(name);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("permits", l.permits());
        s.put("period", l.period().toString());
        s.put("burst", l.burst());
        s.put("catchUp", l.catchUp().toString());
        boolean enforcing = r.get(x -> x.getEnforcing(), Boolean.FALSE);
        s.put("enforcing", enforcing);
        Duration maxWait = r.get(x -> x.getMaxWait());
        s.put("maxWait", maxWait != null ? maxWait.toString() : enforcing ? Duration.ZERO.toString() : "unbounded");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("interval", l.interval().toString());
        d.put("settings", s);
        return d;
    }

    private Map<String, Object> workers(FluxgateWorkers.Pool p) {
        Resolved<FluxgateWorkersProperties.Settings> r = workers.resolved(p.name());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", p.mode().name());
        if (p.mode() == FluxgateWorkers.Mode.ADAPTIVE) {
            s.put("minLimit", r.get(x -> x.getMinLimit(), io.fluxgate.control.Gradient2Limit.DEFAULT_MIN_LIMIT));
            s.put("maxLimit", r.get(x -> x.getMaxLimit(), io.fluxgate.control.Gradient2Limit.DEFAULT_MAX_LIMIT));
            s.put("initialLimit", r.get(x -> x.getInitialLimit(),
                    io.fluxgate.control.Gradient2Limit.DEFAULT_INITIAL_LIMIT));
        } else {
            s.put("maxInFlight", p.maxInFlight());
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("inFlight", p.inFlight());
        d.put("settings", s);
        return d;
    }

    private Map<String, Object> retry(String name) {
        Resolved<FluxgateRetryProperties.Settings> r = retries.resolved(name);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("maxAttempts", r.get(x -> x.getMaxAttempts(), ElementRetry.DEFAULT_MAX_ATTEMPTS));
        s.put("backoff", r.get(x -> x.getBackoff(), ElementRetry.DEFAULT_BACKOFF).toString());
        s.put("maxBackoff", r.get(x -> x.getMaxBackoff(), ElementRetry.DEFAULT_MAX_BACKOFF).toString());
        s.put("jitter", r.get(x -> x.getJitter(), ElementRetry.DEFAULT_JITTER));
        s.put("maxInFlight", r.get(x -> x.getMaxInFlight(), 1));
        s.put("retryExceptions", names(r.get(x -> x.getRetryExceptions())));
        s.put("ignoreExceptions", names(r.get(x -> x.getIgnoreExceptions())));
        return Map.of("settings", s);
    }

    private Map<String, Object> watchdog(StallWatchdog w) {
        Resolved<FluxgateWatchdogProperties.Settings> r = watchdogs.resolved(w.stage());
        Map<String, Object> d = StallWatchdogHealthIndicator.details(w, w.health());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stallAfter", r.get(x -> x.getStallAfter(), StallWatchdog.DEFAULT_STALL_AFTER).toString());
        Duration failAfter = r.get(x -> x.getFailAfter());
        s.put("failAfter", failAfter == null ? "never" : failAfter.toString());
        d.put("settings", s);
        return d;
    }

    private Map<String, Object> batch(String name) {
        Resolved<FluxgateBatchProperties.Settings> r = batches.resolved(name);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("maxSize", r.get(x -> x.getMaxSize()) == null ? "default" : r.get(x -> x.getMaxSize()));
        s.put("maxWait", r.get(x -> x.getMaxWait(), AdaptiveBatch.DEFAULT_MAX_WAIT).toString());
        putIfSet(s, "minSize", r.get(x -> x.getMinSize()));
        putIfSet(s, "initialSize", r.get(x -> x.getInitialSize()));
        putIfSet(s, "latencyTarget", r.get(x -> x.getLatencyTarget()));
        s.put("maxInFlight", r.get(x -> x.getMaxInFlight(), AdaptiveBatch.DEFAULT_MAX_IN_FLIGHT));
        return Map.of("settings", s);
    }

    private static java.util.List<String> names(java.util.@Nullable List<Class<? extends Throwable>> types) {
        return types == null ? java.util.List.of() : types.stream().map(t -> t.getName()).toList();
    }

    private static void putIfSet(Map<String, Object> m, String key, @Nullable Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    static Map<String, Object> valve(Valve v) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", v.isPaused() ? "PAUSED" : "OPEN");
        d.put("activeSubscriptions", v.activeSubscriptions());
        d.put("settings", Map.of("maxInFlight", v.maxInFlight()));
        return d;
    }
}
