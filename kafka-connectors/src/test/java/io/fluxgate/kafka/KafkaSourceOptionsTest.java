package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class KafkaSourceOptionsTest {

    private static KafkaSourceOptions.Builder<String, String> builder() {
        return KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void settersNameTheBadValueInCoresFormat() {
        assertThatThrownBy(() -> builder().bootstrapServers(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bootstrapServers must not be blank, was ' '");
        assertThatThrownBy(() -> builder().bootstrapServers(null))
                .isInstanceOf(NullPointerException.class).hasMessage("bootstrapServers");
        assertThatThrownBy(() -> builder().groupId(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("groupId must not be blank, was ''");
        assertThatThrownBy(() -> builder().topics("a", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank, was ' '");
        assertThatThrownBy(() -> builder().topics())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("number of topics must be >= 1, was 0");
        assertThatThrownBy(() -> builder().commitBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("commitBatchSize must be >= 1, was 0");
        assertThatThrownBy(() -> builder().commitInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("commitInterval must be positive, was PT0S");
        assertThatThrownBy(() -> builder().pollTimeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pollTimeout must be positive, was PT-0.005S");
        assertThatThrownBy(() -> builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was ' '");
    }

    @Test
    void meterRegistryDefaultsTheNameAndDeadLettersDefaultToLogging() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaSourceOptions<String, String> o = builder().bootstrapServers("localhost:9092").groupId("g").topics("t")
                .meterRegistry(registry).build();
        assertThat(o.meterRegistry()).isSameAs(registry);
        assertThat(o.name()).isEqualTo(KafkaSourceOptions.DEFAULT_NAME);
        assertThat(o.deadLetters()).isNotNull();
        assertThat(builder().bootstrapServers("b").groupId("g").topics("t").build().meterRegistry()).isNull();
        assertThat(builder().bootstrapServers("b").groupId("g").topics("t").name("orders").build().name())
                .isEqualTo("orders");
    }

    @Test
    void theShareSourceIsNamedAsTheSourceIs() {
        KafkaShareSourceOptions.Builder<String, String> share =
                KafkaShareSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                        .bootstrapServers("b").groupId("g").topics("t");
        assertThat(share.build().name()).isEqualTo(KafkaShareSourceOptions.DEFAULT_NAME).isEqualTo("fluxgate.kafka.share");
        assertThatThrownBy(() -> share.name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was ' '");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaShareSourceOptions<String, String> o = share.name("jobs").meterRegistry(registry).build();
        assertThat(o.name()).isEqualTo("jobs");
        assertThat(o.meterRegistry()).isSameAs(registry);
    }

    @Test
    void theConsumerGroupProtocolRefusesTheClassicProtocolsClientSideSettingsAtBuild() {
        assertThat(builder().bootstrapServers("b").groupId("g").topics("t").groupProtocol(GroupProtocol.CONSUMER)
                .build().properties()).containsEntry("group.protocol", "consumer");
        for (String classicOnly : new String[] {"session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy"}) {
            assertThatThrownBy(() -> builder().bootstrapServers("b").groupId("g").topics("t")
                    .groupProtocol(GroupProtocol.CONSUMER).property(classicOnly, "1000").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(classicOnly + "=1000 is not supported with group.protocol=consumer");
            // the same setting under the classic protocol, named or by default, is the client's own
            assertThat(builder().bootstrapServers("b").groupId("g").topics("t").groupProtocol(GroupProtocol.CLASSIC)
                    .property(classicOnly, "1000").build().properties()).containsEntry(classicOnly, "1000");
            assertThat(builder().bootstrapServers("b").groupId("g").topics("t").property(classicOnly, "1000").build()
                    .properties()).containsEntry(classicOnly, "1000");
        }
        // as a plain property too, in any case
        assertThatThrownBy(() -> builder().bootstrapServers("b").groupId("g").topics("t")
                .property("group.protocol", "CONSUMER").property("session.timeout.ms", 6000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group.consumer.session.timeout.ms");
    }
}
