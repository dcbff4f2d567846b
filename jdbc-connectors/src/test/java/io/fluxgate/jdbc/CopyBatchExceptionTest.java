package io.fluxgate.jdbc;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CopyBatchExceptionTest {

    /** Not Serializable, as most elements are not. */
    private record Row(long id) {
    }

    @Test
    void elementsAreACopyAndEmptyRatherThanNullAfterDeserialization() throws Exception {
        List<Row> batch = new ArrayList<>(List.of(new Row(1), new Row(2)));
        CopyBatchException e = new CopyBatchException("copy failed", batch, 3, new IllegalStateException("boom"));
        batch.clear();
        assertThat(e.elements()).isEqualTo(List.of(new Row(1), new Row(2)));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        CopyBatchException copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (CopyBatchException) in.readObject();
        }

        assertThat(copy.elements()).isEmpty();
        assertThat(copy.attempts()).isEqualTo(3);
        assertThat(copy.getCause()).hasMessage("boom");
    }
}
