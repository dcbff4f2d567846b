/**
 * Per-element deadlines: {@link io.fluxgate.timeout.ElementTimeout} gives each element's asynchronous call its own
 * timeout (Reactor's {@code Flux.timeout} measures the gap between elements of the whole stream) and fails the
 * stream with an {@link io.fluxgate.timeout.ElementTimeoutException} naming the stage and the element. The timed-out
 * call is cancelled; timing follows the configured scheduler, virtual under {@code StepVerifier.withVirtualTime}.
 */
@NullMarked
package io.fluxgate.timeout;

import org.jspecify.annotations.NullMarked;
