package io.fluxgate.kafka.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterException;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.InMemoryDeadLetterSink;
import io.fluxgate.outcome.Outcome;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** {@link ShareOutcomes} and {@link ShareRecord} without a broker: records whose acknowledgements are recorded. */
class ShareOutcomesTest {

    private final List<String> acks = new CopyOnWriteArrayList<>();

    private ShareRecord<String, String> record(String value, int deliveryCount) {
        return new ShareRecord<>("jobs", 0, value.hashCode() & 0xffff, 1L, deliveryCount, "k-" + value, value,
                type -> acks.add(value + ":" + type.name()));
    }

    @Test
    void successIsAcceptedAndEmittedFailureReleasedWhileDeliveriesRemainThenDeadLetteredAndRejected() {
        InMemoryDeadLetterSink<RejectedRecord> sink = new InMemoryDeadLetterSink<>();
        ShareRecord<String, String> ok = record("ok", 1);
        ShareRecord<String, String> early = record("early", 2);
        ShareRecord<String, String> last = record("last", 3);
        IllegalStateException boom = new IllegalStateException("boom");
        Flux<Outcome<ShareRecord<String, String>, String>> outcomes = Flux.just(Outcome.success(ok, "OK"),
                Outcome.failure(early, boom), Outcome.failure(last, boom));
        StepVerifier.create(outcomes.transform(ShareOutcomes.<String, String>builder().maxDeliveries(3)
                        .deadLetters(sink, new StringSerializer(), new StringSerializer()).stage("enrich").<String>build()))
                .expectNext("OK")
                .verifyComplete();
        assertThat(acks).containsExactly("ok:ACCEPT", "early:RELEASE", "last:REJECT");
        assertThat(sink.letters()).hasSize(1);
        DeadLetter<RejectedRecord> letter = sink.letters().get(0);
        assertThat(letter.cause()).isSameAs(boom);
        assertThat(letter.stage()).isEqualTo("enrich");
        assertThat(new String(letter.element().value(), StandardCharsets.UTF_8)).isEqualTo("last");
        assertThat(new String(letter.element().key(), StandardCharsets.UTF_8)).isEqualTo("k-last");
        assertThat(letter.element().offset()).isEqualTo(last.offset());
        assertThat(last.acknowledgement()).isEqualTo(AcknowledgeType.REJECT);
    }

    @Test
    void aFailingDeadLetterSinkReleasesTheRecordInsteadOfRejectingIt() {
        DeadLetterSink<RejectedRecord> failing = DeadLetterSink.of(dl -> {
            throw new DeadLetterException("disk full", new java.io.IOException("no space"));
        });
        ShareRecord<String, String> last = record("last", 5);
        StepVerifier.create(Flux.just(Outcome.<ShareRecord<String, String>, String>failure(last, new RuntimeException("x")))
                        .transform(ShareOutcomes.<String, String>builder()
                                .deadLetters(failing, new StringSerializer(), new StringSerializer()).<String>build()))
                .verifyComplete();
        assertThat(acks).containsExactly("last:RELEASE");
    }

    @Test
    void withoutASinkTheLastDeliveryIsRejected() {
        ShareRecord<String, String> once = record("once", 1);
        StepVerifier.create(Flux.just(Outcome.<ShareRecord<String, String>, String>failure(once, new RuntimeException("x")))
                        .transform(ShareOutcomes.<String, String, String>acknowledge(1)))
                .verifyComplete();
        assertThat(acks).containsExactly("once:REJECT");
    }

    @Test
    void demandIsPassedOnAndCancelStopsTheStage() {
        TestPublisher<Outcome<ShareRecord<String, String>, String>> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(ShareOutcomes.<String, String, String>acknowledge(2)), 0)
                .then(() -> upstream.assertMinRequested(1))
                .thenRequest(1)
                .then(() -> upstream.next(Outcome.success(record("a", 1), "A")))
                .expectNext("A")
                .thenCancel()
                .verify();
        upstream.assertCancelled();
        assertThat(acks).containsExactly("a:ACCEPT");
    }

    @Test
    void theFirstFinalAcknowledgementWinsAndRenewOnlyWhileHeld() {
        ShareRecord<String, String> r = record("r", 1);
        assertThat(r.renew()).isTrue();
        assertThat(r.acknowledgement()).isNull();
        assertThat(r.release()).isTrue();
        assertThat(r.accept()).isFalse();
        assertThat(r.reject()).isFalse();
        assertThat(r.renew()).isFalse();
        assertThat(r.acknowledgement()).isEqualTo(AcknowledgeType.RELEASE);
        assertThat(acks).containsExactly("r:RENEW", "r:RELEASE");
    }

    @Test
    void settingsAreValidatedNamingTheBadValue() {
        assertThatThrownBy(() -> ShareOutcomes.builder().maxDeliveries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDeliveries").hasMessageContaining("0");
        assertThatThrownBy(() -> record("x", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        KafkaShareSourceOptions.Builder<String, String> b = KafkaShareSourceOptions.builder(new StringDeserializer(),
                new StringDeserializer());
        assertThatThrownBy(() -> b.maxPollRecords(0)).hasMessageContaining("maxPollRecords");
        assertThatThrownBy(() -> b.renewAfter(java.time.Duration.ZERO)).hasMessageContaining("renewAfter");
        assertThatThrownBy(() -> b.property("group.id", "x")).hasMessageContaining("group.id");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrapServers");
        KafkaShareSourceOptions<String, String> o = b.bootstrapServers("h:1").groupId("g").topics("t").build();
        assertThat(o.maxPollRecords()).isEqualTo(KafkaShareSourceOptions.DEFAULT_MAX_POLL_RECORDS);
        assertThat(o.renewAfter()).isNull();
        assertThat(io.fluxgate.kafka.share.internal.ShareLoop.consumerProperties(o))
                .containsEntry("share.acknowledgement.mode", "explicit")
                .containsEntry("share.acquire.mode", "record_limit")
                .containsEntry("max.poll.records", 500);
    }
}
