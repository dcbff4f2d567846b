package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchResultTest {

    @Test
    void aCallersListIsCopiedSoLaterChangesDoNotShow() {
        List<String> batch = new ArrayList<>(List.of("a", "b"));
        BatchResult<String> result = new BatchResult<>(batch, List.of(), 2, 2, Duration.ZERO, 1);
        batch.add("c");
        assertThat(result.elements()).containsExactly("a", "b");
        assertThatThrownBy(() -> result.elements().add("d")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theSinksOwnBatchIsShownUnmodifiableWithoutACopy() {
        BatchList<String> batch = new BatchList<>(10);
        batch.add("a");
        batch.add("b");
        BatchResult<String> result = new BatchResult<>(batch, List.of(), 2, 2, Duration.ZERO, 1);
        assertThat(result.elements()).containsExactly("a", "b").isEqualTo(List.of("a", "b"));
        assertThatThrownBy(() -> result.elements().add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> result.elements().set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
