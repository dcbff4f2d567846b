/**
 * Debouncing per key: {@link io.fluxgate.debounce.KeyedDebounce} emits, for each key, the latest element once that
 * key has been quiet for a period, so a burst of updates to one entity collapses into its final state while other
 * keys are debounced independently. Superseded elements are dropped (that is the point); memory is bounded by the keys with a
 * pending element ({@code maxActiveKeys}); pending elements are flushed when the source completes.
 */
@NullMarked
package io.fluxgate.debounce;

import org.jspecify.annotations.NullMarked;
