package io.fluxgate.kafka.json;

import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Jackson 3 JSON {@link Serializer}s and {@link Deserializer}s for Kafka, for records and POJOs.
 *
 * <p>A value that is not valid JSON for the target type makes the deserializer throw a
 * {@link SerializationException} whose message says why; {@link io.fluxgate.kafka.KafkaSource} turns that into a
 * counted dead letter with topic, partition and offset instead of a failed consumer. A {@code null} value (a
 * tombstone) deserializes to {@code null}.
 */
public final class JsonSerde {

    private JsonSerde() {
    }

    /**
     * Serializes any value with Jackson's shared default {@link JsonMapper}; {@code null} stays {@code null}.
     *
     * @param <T> the value type
     * @return a stateless serializer
     */
    public static <T> Serializer<T> serializer() {
        return serializer(JsonMapper.shared());
    }

    /**
     * Serializes with the given mapper (modules, naming strategy, ...).
     *
     * @param <T> the value type
     * @param mapper the configured mapper
     * @return a serializer over {@code mapper}
     */
    public static <T> Serializer<T> serializer(ObjectMapper mapper) {
        ObjectWriter writer = Objects.requireNonNull(mapper, "mapper").writer();
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return writer.writeValueAsBytes(value);
            } catch (JacksonException e) {
                throw new SerializationException("cannot write " + value.getClass().getName() + " as JSON for topic "
                        + topic + ": " + e.getOriginalMessage(), e);
            }
        };
    }

    /**
     * Deserializes JSON into {@code type} with Jackson's shared default {@link JsonMapper}.
     *
     * @param <T> the target type
     * @param type the class values are read as
     * @return a deserializer; a value that does not fit throws {@link SerializationException}
     */
    public static <T> Deserializer<T> deserializer(Class<T> type) {
        return deserializer(type, JsonMapper.shared());
    }

    /**
     * Deserializes JSON into {@code type} with the given mapper.
     *
     * @param <T> the target type
     * @param type the class values are read as
     * @param mapper the configured mapper
     * @return a deserializer; a value that does not fit throws {@link SerializationException}
     * @throws NullPointerException if an argument is null
     */
    public static <T> Deserializer<T> deserializer(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        ObjectReader reader = Objects.requireNonNull(mapper, "mapper").readerFor(type);
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return reader.readValue(data);
            } catch (JacksonException e) {
                String msg = e.getOriginalMessage();
                int nl = msg == null ? -1 : msg.indexOf('\n');
                throw new SerializationException("malformed JSON for " + type.getSimpleName() + ": "
                        + (nl >= 0 ? msg.substring(0, nl) : msg), e);
            }
        };
    }
}
