/**
 * Kafka share groups (KIP-932, "queues for Kafka"; kafka-clients and broker 4.2 or later) as Reactor streams:
 * {@link io.fluxgate.kafka.share.KafkaShareSource} emits {@link io.fluxgate.kafka.share.ShareRecord}s, each carrying
 * its own acknowledgement (accept, release, reject, renew), and {@link io.fluxgate.kafka.share.ShareOutcomes} maps
 * the {@code Outcome} of each record's processing onto them, with dead letters for records that fail their last
 * delivery. Nothing here is loaded unless used, so fluxgate-kafka keeps working on kafka-clients without share
 * consumers (3.9).
 *
 * <p>The share consumer's loop lives in {@code io.fluxgate.kafka.share.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.kafka.share;

import org.jspecify.annotations.NullMarked;
