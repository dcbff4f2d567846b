package io.fluxgate.kafka.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

    record Order(String id, long amount, List<String> tags) {
    }

    public static final class Pojo {
        public String name;
        public int count;
    }

    @Test
    void recordRoundTrip() {
        Order o = new Order("o-1", 42, List.of("a", "b"));
        byte[] bytes = JsonSerde.<Order>serializer().serialize("t", o);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"id\":\"o-1\"");
        assertThat(JsonSerde.deserializer(Order.class).deserialize("t", bytes)).isEqualTo(o);
    }

    @Test
    void pojoRoundTrip() {
        Pojo p = new Pojo();
        p.name = "n";
        p.count = 3;
        Pojo back = JsonSerde.deserializer(Pojo.class).deserialize("t", JsonSerde.<Pojo>serializer().serialize("t", p));
        assertThat(back.name).isEqualTo("n");
        assertThat(back.count).isEqualTo(3);
    }

    @Test
    void nullStaysNull() {
        assertThat(JsonSerde.serializer().serialize("t", null)).isNull();
        assertThat(JsonSerde.deserializer(Order.class).deserialize("t", null)).isNull();
    }

    @Test
    void malformedValueGivesSerializationExceptionWithReason() {
        assertThatThrownBy(() -> JsonSerde.deserializer(Order.class).deserialize("t", "{\"id\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("malformed JSON for Order: ");
        assertThatThrownBy(() -> JsonSerde.deserializer(Order.class).deserialize("t", "{\"amount\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class);
    }
}
