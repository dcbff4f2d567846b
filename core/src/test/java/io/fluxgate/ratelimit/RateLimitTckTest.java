package io.fluxgate.ratelimit;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class RateLimitTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        // fast enough for the TCK's element counts, slow enough that some elements really wait
        return RateLimit.shaping(RateLimiter.builder().permits(1).per(Duration.ofNanos(20_000)).burst(8).build());
    }
}
