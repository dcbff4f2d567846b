package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fluxgate.breaker.CallNotPermittedException;
import io.fluxgate.window.frame.RootFrameReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /events}: a body of NDJSON frames ({@code {"uid": "...", "ts": <unix seconds>, ...}}, one per line)
 * to the frames topic.
 *
 * <p><b>All or nothing.</b> The whole body is read and every line validated before anything is written: if one line
 * is not a frame, the answer is 400 and no frame of the request goes to Kafka, so a client can fix its input and send
 * the same body again without duplicating the good lines. Validation is the main job's ({@link RootFrameReader}):
 * a JSON object with a non-empty string {@code uid} and an integer {@code ts} at its root; other fields are kept as
 * they are; blank lines are skipped.
 *
 * <table>
 *   <caption>Answers</caption>
 *   <tr><td>200</td><td>{@code {"accepted": n}}: every frame acknowledged by Kafka</td></tr>
 *   <tr><td>400</td><td>{@code {"error", "line", "reason", "errors": [{"line", "reason"}...], "invalidLines"}}: the
 *       first bad line and why, up to {@code fluxgate.events.max-errors} of them listed; or an empty body</td></tr>
 *   <tr><td>413</td><td>{@code {"error", "limit", "line"?}}: body over {@code fluxgate.events.max-body-size}, or
 *       a line over {@code fluxgate.events.max-line-size} (named)</td></tr>
 *   <tr><td>503</td><td>with {@code Retry-After}: the circuit breaker is open (Kafka failed recently), or too many
 *       requests are waiting for Kafka</td></tr>
 *   <tr><td>502 / 504</td><td>Kafka failed / did not acknowledge within {@code fluxgate.events.publish-timeout}
 *       (some frames may have been written: retrying may write them twice)</td></tr>
 * </table>
 */
final class EventsHandler {

    /** An error answer; absent fields are left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String error, Integer line, String reason, List<NdjsonBody.LineError> errors, Integer invalidLines,
                   Long limit, String state, Long retryAfterSeconds) {
        static Problem of(String error) {
            return new Problem(error, null, null, null, null, null, null, null);
        }
    }

    /** The success answer. */
    record Accepted(int accepted) {
    }

    private final RootFrameReader reader = RootFrameReader.ofDefaults();
    private final FramePublisher publisher;
    private final BreakerStatus breaker;
    private final DashboardProperties.Events config;
    private final int maxBody;
    private final int maxLine;
    private final Counter acceptedFrames;
    private final Counter rejectedLines;

    EventsHandler(FramePublisher publisher, BreakerStatus breaker, DashboardProperties.Events config,
                  MeterRegistry registry) {
        this.publisher = publisher;
        this.breaker = breaker;
        this.config = config;
        this.maxBody = (int) config.maxBodySize().toBytes();
        this.maxLine = (int) config.maxLineSize().toBytes();
        this.acceptedFrames = Counter.builder("fluxgate.dashboard.frames.accepted")
                .description("frames written to Kafka by POST /events").register(registry);
        this.rejectedLines = Counter.builder("fluxgate.dashboard.lines.rejected")
                .description("lines of POST /events that are not frames").register(registry);
    }

    Mono<ServerResponse> post(ServerRequest request) {
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxBody) {
            return bodyTooLarge();
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBody)
                .map(EventsHandler::bytes)
                .defaultIfEmpty(new byte[0])
                .flatMap(this::handle)
                .onErrorResume(DataBufferLimitException.class, e -> bodyTooLarge());
    }

    private Mono<ServerResponse> handle(byte[] body) {
        NdjsonBody.Result result = NdjsonBody.scan(body, reader, maxLine, config.maxErrors());
        if (result instanceof NdjsonBody.TooLong t) {
            return json(HttpStatus.CONTENT_TOO_LARGE, new Problem("line " + t.line() + " has " + t.length()
                    + " bytes, more than fluxgate.events.max-line-size", t.line(), null, null, null, t.limit(), null, null));
        }
        if (result instanceof NdjsonBody.Invalid invalid) {
            rejectedLines.increment(invalid.count());
            NdjsonBody.LineError first = invalid.errors().get(0);
            return json(HttpStatus.BAD_REQUEST, new Problem("invalid frame on line " + first.line()
                    + "; nothing was published", first.line(), first.reason(), invalid.errors(), invalid.count(),
                    null, null, null));
        }
        List<NdjsonBody.Line> lines = ((NdjsonBody.Valid) result).lines();
        if (lines.isEmpty()) {
            return json(HttpStatus.BAD_REQUEST, Problem.of("no frames in the body: send one JSON object per line"));
        }
        Duration timeout = config.publishTimeout();
        return publisher.publish(lines)
                .timeout(timeout)
                .transform(breaker.breaker().protectMono())
                .flatMap(n -> {
                    acceptedFrames.increment(n);
                    return json(HttpStatus.OK, new Accepted(n));
                })
                .onErrorResume(CallNotPermittedException.class, e -> unavailable("circuit breaker "
                        + breaker.breaker().name() + " is " + e.state() + ": Kafka failed recently", e.state().name(),
                        breaker.retryAfterSeconds()))
                .onErrorResume(FramePublisher.OverloadedException.class,
                        e -> unavailable(e.getMessage(), breaker.breaker().state().name(), 1))
                .onErrorResume(TimeoutException.class, e -> json(HttpStatus.GATEWAY_TIMEOUT,
                        Problem.of("Kafka did not acknowledge the frames within " + timeout
                                + " (fluxgate.events.publish-timeout); some may have been written")))
                .onErrorResume(FramePublisher.PublishFailedException.class, e -> json(HttpStatus.BAD_GATEWAY,
                        new Problem("publishing to Kafka failed; some frames may have been written", null,
                                e.getMessage(), null, null, null, null, null)));
    }

    private Mono<ServerResponse> bodyTooLarge() {
        return json(HttpStatus.CONTENT_TOO_LARGE, new Problem("request body larger than fluxgate.events.max-body-size",
                null, null, null, null, (long) maxBody, null, null));
    }

    private Mono<ServerResponse> unavailable(String error, String state, long retryAfter) {
        long seconds = Math.max(1, retryAfter);
        return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(new Problem(error, null, null, null, null, null, state, seconds));
    }

    private static Mono<ServerResponse> json(HttpStatus status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] b = new byte[buffer.readableByteCount()];
            buffer.read(b);
            return b;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
