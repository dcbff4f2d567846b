package io.fluxgate.breaker;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The documented call shapes compile without explicit type arguments. */
class UsageCompilesTest {

    static Mono<String> client(int i) {
        return Mono.just("r" + i);
    }

    @Test
    void typeInferenceAtTheCallSite() {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("usage");
        Flux<String> a = Flux.range(1, 2).transform(breaker.protect(UsageCompilesTest::client));
        Flux<String> b = Flux.range(1, 2).transform(breaker.protect(i -> client(i), (i, e) -> Mono.just("fallback")));
        Flux<String> c = Flux.range(1, 2).transform(breaker.protect(i -> client(i), OpenBehavior.BACKPRESSURE));
        Flux<String> d = Flux.range(1, 2).transform(breaker.<Integer, String>protecting(i -> client(i))
                .maxInFlight(2).build());
        Mono<String> e = client(3).transform(breaker.protectMono());
        StepVerifier.create(Flux.concat(a, b, c, d, e)).expectNextCount(9).verifyComplete();
    }
}
