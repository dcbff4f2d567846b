package io.fluxgate.kafka;

/** Where a consumer group starts reading a partition that has no committed offset yet. */
public enum StartPosition {
    /** The oldest retained record. */
    EARLIEST,
    /** Only records produced after the partition is assigned. */
    LATEST
}
