package io.fluxgate.breaker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fluent listener registration for one breaker's {@link CircuitBreakerEvent}s:
 * {@code breaker.events().onStateTransition(e -> ...).onError(e -> ...)}.
 *
 * <p>Listeners run synchronously on the thread that caused the event, so keep them short. An event is only built
 * when a listener for its type is registered; an exception thrown by a listener is logged and never reaches the
 * stream. {@link #listen} returns a {@link Disposable} that removes the listener.
 */
public final class CircuitBreakerEvents {
    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerEvents.class);

    private record Listener(Class<? extends CircuitBreakerEvent> type, Consumer<CircuitBreakerEvent> consumer) {
    }

    private final String name;
    private final Runnable onInterestChange;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Class<?>[] wanted = new Class<?>[0];

    CircuitBreakerEvents(String name, Runnable onInterestChange) {
        this.name = name;
        this.onInterestChange = onInterestChange;
    }

    /**
     * Listens to calls recorded as successes.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onSuccess(Consumer<? super CircuitBreakerEvent.Success> c) {
        listen(CircuitBreakerEvent.Success.class, c);
        return this;
    }

    /**
     * Listens to calls recorded as failures.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onError(Consumer<? super CircuitBreakerEvent.Error> c) {
        listen(CircuitBreakerEvent.Error.class, c);
        return this;
    }

    /**
     * Listens to calls whose error the config ignores.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onIgnoredError(Consumer<? super CircuitBreakerEvent.IgnoredError> c) {
        listen(CircuitBreakerEvent.IgnoredError.class, c);
        return this;
    }

    /**
     * Listens to calls cancelled before they finished, whose permission was released.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onReleased(Consumer<? super CircuitBreakerEvent.Released> c) {
        listen(CircuitBreakerEvent.Released.class, c);
        return this;
    }

    /**
     * Listens to refused calls.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onCallNotPermitted(Consumer<? super CircuitBreakerEvent.CallNotPermitted> c) {
        listen(CircuitBreakerEvent.CallNotPermitted.class, c);
        return this;
    }

    /**
     * Listens to state changes, whether caused by the rates, by time or manually.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onStateTransition(Consumer<? super CircuitBreakerEvent.StateTransition> c) {
        listen(CircuitBreakerEvent.StateTransition.class, c);
        return this;
    }

    /**
     * Listens to the failure rate reaching its threshold.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onFailureRateExceeded(Consumer<? super CircuitBreakerEvent.FailureRateExceeded> c) {
        listen(CircuitBreakerEvent.FailureRateExceeded.class, c);
        return this;
    }

    /**
     * Listens to the slow-call rate reaching its threshold.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onSlowCallRateExceeded(Consumer<? super CircuitBreakerEvent.SlowCallRateExceeded> c) {
        listen(CircuitBreakerEvent.SlowCallRateExceeded.class, c);
        return this;
    }

    /**
     * Listens to {@link CircuitBreaker#reset()}.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onReset(Consumer<? super CircuitBreakerEvent.Reset> c) {
        listen(CircuitBreakerEvent.Reset.class, c);
        return this;
    }

    /**
     * Listens to every event type; registering it makes the breaker build every event, per call ones included.
     *
     * @param c the listener
     * @return this registry, for chaining
     * @throws NullPointerException if {@code c} is null
     */
    public CircuitBreakerEvents onEvent(Consumer<? super CircuitBreakerEvent> c) {
        listen(CircuitBreakerEvent.class, c);
        return this;
    }

    /**
     * Registers a listener for {@code type} (a {@link CircuitBreakerEvent} record, or the interface for all).
     *
     * @param type the event class listened to; events that are instances of it reach the listener
     * @param consumer the listener, run synchronously on the thread that caused the event
     * @param <E> the event type
     * @return removes the listener when disposed
     * @throws NullPointerException if an argument is null
     */
    @SuppressWarnings("unchecked")
    public <E extends CircuitBreakerEvent> Disposable listen(Class<E> type, Consumer<? super E> consumer) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(consumer, "consumer");
        Listener l = new Listener(type, e -> ((Consumer<Object>) consumer).accept(e));
        listeners.add(l);
        refresh();
        return () -> {
            if (listeners.remove(l)) {
                refresh();
            }
        };
    }

    private void refresh() {
        wanted = listeners.stream().map(Listener::type).distinct().toArray(Class<?>[]::new);
        onInterestChange.run();
    }

    /** Whether an event of this type would reach anyone; check before building the event. */
    boolean wants(Class<? extends CircuitBreakerEvent> type) {
        for (Class<?> w : wanted) {
            if (w == type || w == CircuitBreakerEvent.class) {
                return true;
            }
        }
        return false;
    }

    /** Whether any per-call event type is wanted. */
    boolean wantsCallEvents() {
        return wants(CircuitBreakerEvent.Success.class) || wants(CircuitBreakerEvent.Error.class)
                || wants(CircuitBreakerEvent.IgnoredError.class) || wants(CircuitBreakerEvent.Released.class)
                || wants(CircuitBreakerEvent.CallNotPermitted.class);
    }

    void publish(CircuitBreakerEvent event) {
        for (Listener l : listeners) {
            if (l.type().isInstance(event)) {
                try {
                    l.consumer().accept(event);
                } catch (Throwable t) {
                    LOG.warn("CircuitBreaker '{}': listener failed on {}", name, event.getClass().getSimpleName(), t);
                }
            }
        }
    }
}
