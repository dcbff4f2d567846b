package io.fluxgate.spring.boot.autoconfigure;

import java.util.function.Function;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Wraps an element's call in a Micrometer {@link Observation}: started when the call is subscribed (so for a breaker
 * only when it is permitted, for a retry once per attempt), stopped when it ends, errs or is cancelled, with the
 * Reactor context's observation as parent and the new one put into the call's context, so a {@code WebClient}
 * call inside is its child. With a no-op registry the call is returned as it is.
 */
final class Observed {

    /** Reactor context key of the current observation ({@code ObservationThreadLocalAccessor.KEY}). */
    static final String CONTEXT_KEY = "micrometer.observation";

    private Observed() {
    }

    static <T, R> Function<? super T, ? extends Publisher<? extends R>> call(
            ObservationRegistry registry, String observation, String kind, String name,
            Function<? super T, ? extends Publisher<? extends R>> call) {
        if (registry.isNoop()) {
            return call;
        }
        return element -> Flux.<R>deferContextual(ctx -> {
            Observation parent = ctx.getOrDefault(CONTEXT_KEY, null);
            Observation o = Observation.createNotStarted(observation, registry)
                    .contextualName(kind + " " + name)
                    .lowCardinalityKeyValue("name", name)
                    .parentObservation(parent)
                    .start();
            Publisher<? extends R> p;
            try {
                p = call.apply(element);
            } catch (RuntimeException e) {
                o.error(e);
                o.stop();
                throw e;
            }
            return Flux.<R>from(p)
                    .doOnError(o::error)
                    .doOnCancel(() -> o.lowCardinalityKeyValue("outcome", "cancelled"))
                    .doFinally(sig -> o.stop())
                    .contextWrite(c -> c.put(CONTEXT_KEY, o));
        });
    }
}
