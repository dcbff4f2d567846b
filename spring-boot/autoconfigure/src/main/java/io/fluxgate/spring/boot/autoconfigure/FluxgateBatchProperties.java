package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Batching under {@code fluxgate.batch}: fixed bounds (size, age) or adaptive sizes steered to a sink latency, settings
 * in {@code configs.<name>} and {@code instances.<name>}.
 */
@ConfigurationProperties(FluxgateBatchProperties.PREFIX)
public class FluxgateBatchProperties extends InstanceProperties<FluxgateBatchProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.batch";

    /** Creates empty properties. */
    public FluxgateBatchProperties() {
        super(PREFIX, FluxgateBatches::check);
    }

    /** The settings of one batcher or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** Most elements in a batch; in the adaptive form the largest size the controller may set (default 256 fixed, 5000 adaptive). */
        private @Nullable Integer maxSize;

        /** How long a batch may wait after its first element (default 100ms). */
        private @Nullable Duration maxWait;

        /** Adaptive form: the smallest size the controller may set (default 1). */
        private @Nullable Integer minSize;

        /** Adaptive form: the size of the first batches, before any latency was measured. */
        private @Nullable Integer initialSize;

        /** Adaptive form: the sink latency per batch the sizes are steered to (default 100ms). */
        private @Nullable Duration latencyTarget;

        /** Adaptive form: batches the sink processes at once (default 1). */
        private @Nullable Integer maxInFlight;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the largest batch, or null when unset */
        public @Nullable Integer getMaxSize() {
            return maxSize;
        }

        /** @param v the largest batch */
        public void setMaxSize(@Nullable Integer v) {
            this.maxSize = v;
        }

        /** @return the longest wait of a batch, or null when unset */
        public @Nullable Duration getMaxWait() {
            return maxWait;
        }

        /** @param v the longest wait of a batch */
        public void setMaxWait(@Nullable Duration v) {
            this.maxWait = v;
        }

        /** @return the smallest adaptive size, or null when unset */
        public @Nullable Integer getMinSize() {
            return minSize;
        }

        /** @param v the smallest adaptive size */
        public void setMinSize(@Nullable Integer v) {
            this.minSize = v;
        }

        /** @return the first adaptive size, or null when unset */
        public @Nullable Integer getInitialSize() {
            return initialSize;
        }

        /** @param v the first adaptive size */
        public void setInitialSize(@Nullable Integer v) {
            this.initialSize = v;
        }

        /** @return the latency target, or null when unset */
        public @Nullable Duration getLatencyTarget() {
            return latencyTarget;
        }

        /** @param v the latency target */
        public void setLatencyTarget(@Nullable Duration v) {
            this.latencyTarget = v;
        }

        /** @return the batches in the sink at once, or null when unset */
        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param v the batches in the sink at once */
        public void setMaxInFlight(@Nullable Integer v) {
            this.maxInFlight = v;
        }

    }
}
