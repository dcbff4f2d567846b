package io.fluxgate.kafka;

/**
 * Where a {@link KafkaSource} subscription stops reading. ({@link CrashSafeWindows} has its own
 * {@code stopAtEnd}.)
 *
 * @see KafkaSourceOptions.Builder#stopPosition(StopPosition)
 */
public enum StopPosition {
    /** Never: the source follows its topics until cancelled (the default). */
    NEVER,
    /**
     * At the end offsets found when the subscription starts: each partition is read up to the end offset it had then
     * (the last stable offset under {@code isolation.level=read_committed}), records appended later are not emitted,
     * and the Flux completes once every partition assigned to the consumer is read to there. The end is reached by
     * the consumer's position, not by a record at {@code end - 1}, so empty partitions, compacted-away tails and
     * transaction markers end it too. A partition that did not exist at the start ends at offset 0.
     */
    END_OFFSETS_AT_START
}
