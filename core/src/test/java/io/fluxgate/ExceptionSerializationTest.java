package io.fluxgate;

import io.fluxgate.heartbeat.StageStalledException;
import io.fluxgate.timeout.ElementTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Exceptions cross process boundaries (RMI, caches, test forks): what their javadoc promises survives the trip. */
class ExceptionSerializationTest {

    /** An element that is not Serializable, as most pipeline elements are not. */
    private record Order(long id) {
    }

    @Test
    void stageStalledExceptionKeepsItsStageDurationAndInFlight() throws Exception {
        StageStalledException copy = roundTrip(new StageStalledException("enrich", Duration.ofSeconds(42), 7));

        assertThat(copy.stage()).isEqualTo("enrich");
        assertThat(copy.stalledFor()).isEqualTo(Duration.ofSeconds(42));
        assertThat(copy.inFlight()).isEqualTo(7);
    }

    @Test
    void elementTimeoutExceptionDropsItsElementButKeepsTheRest() throws Exception {
        ElementTimeoutException original = new ElementTimeoutException("fetch", new Order(1), Duration.ofSeconds(2));
        assertThat(original.element()).isEqualTo(new Order(1));

        ElementTimeoutException copy = roundTrip(original);

        assertThat(copy.element()).isNull();
        assertThat(copy.stage()).isEqualTo("fetch");
        assertThat(copy.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(copy.getMessage()).isEqualTo(original.getMessage());
    }

    @SuppressWarnings("unchecked")
    static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
