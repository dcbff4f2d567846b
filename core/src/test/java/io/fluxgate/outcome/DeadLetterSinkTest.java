package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

class DeadLetterSinkTest {

    private static DeadLetter<String> letter(String element, Throwable cause) {
        return new DeadLetter<>(element, cause, Instant.EPOCH, "test");
    }

    @Test
    void reasonIsTheCauseMessageOrItsClassName() {
        assertThat(letter("a", new IllegalStateException("bad a")).reason()).isEqualTo("bad a");
        assertThat(letter("b", new NullPointerException()).reason()).isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void acceptAsyncOfASynchronousSinkStoresBeforeReturningAndReportsAFailureInTheStage() {
        InMemoryDeadLetterSink<String> memory = new InMemoryDeadLetterSink<>(1);
        CompletableFuture<Void> first = memory.acceptAsync(letter("a", new RuntimeException("x"))).toCompletableFuture();
        assertThat(first).isCompleted();
        assertThat(memory.count()).isEqualTo(1);

        // full: accept would throw; acceptAsync does not throw but completes exceptionally, nothing is lost silently
        CompletableFuture<Void> second = memory.acceptAsync(letter("b", new RuntimeException("y"))).toCompletableFuture();
        assertThat(second).isCompletedExceptionally();
        assertThatThrownBy(second::join).hasCauseInstanceOf(DeadLetterException.class);
        assertThat(memory.count()).isEqualTo(1);
    }

    @Test
    void ofHandsLettersToTheConsumerCountsThemAndPropagatesItsFailure() {
        List<String> seen = new CopyOnWriteArrayList<>();
        DeadLetterSink<String> sink = DeadLetterSink.of(l -> {
            if (l.element().equals("boom")) {
                throw new IllegalStateException("consumer down");
            }
            seen.add(l.element() + ": " + l.reason());
        });
        sink.accept(letter("a", new RuntimeException("bad a")));
        assertThat(sink.acceptAsync(letter("b", new RuntimeException("bad b")))).isCompleted();
        assertThatThrownBy(() -> sink.accept(letter("boom", new RuntimeException()))).hasMessage("consumer down");
        assertThat(sink.acceptAsync(letter("boom", new RuntimeException()))).isCompletedExceptionally();
        assertThat(seen).containsExactly("a: bad a", "b: bad b");
        assertThat(sink.count()).isEqualTo(2);

        sink.close();
        assertThatThrownBy(() -> sink.accept(letter("c", new RuntimeException())))
                .isInstanceOf(DeadLetterException.class).hasMessageContaining("closed");
    }
    @Test
    void anAsyncSinkCountsALetterOnceItsStoreCompletedAndPassesFailuresOn() {
        CompletableFuture<Object> slow = new CompletableFuture<>();
        List<String> handed = new CopyOnWriteArrayList<>();
        DeadLetterSink<String> sink = DeadLetterSink.ofAsync(l -> {
            String e = l.element();
            handed.add(e);
            if (e.equals("throws")) {
                throw new IllegalArgumentException("bad");
            }
            return e.equals("slow") ? slow
                    : e.equals("refused") ? CompletableFuture.failedFuture(new IllegalStateException("disk full"))
                    : e.equals("null") ? null
                    : CompletableFuture.completedFuture(null);
        });

        CompletableFuture<Void> pending = sink.acceptAsync(letter("slow", new RuntimeException())).toCompletableFuture();
        assertThat(pending).isNotDone();
        assertThat(sink.count()).isZero();
        slow.complete("stored");
        assertThat(pending).isCompleted();
        assertThat(sink.count()).isEqualTo(1);

        sink.accept(letter("now", new RuntimeException()));
        assertThat(sink.count()).isEqualTo(2);
        assertThat(sink.acceptAsync(letter("refused", new RuntimeException())).toCompletableFuture())
                .isCompletedExceptionally();
        assertThatThrownBy(() -> sink.accept(letter("refused", new RuntimeException())))
                .isInstanceOf(IllegalStateException.class).hasMessage("disk full");
        assertThat(sink.acceptAsync(letter("throws", new RuntimeException())).toCompletableFuture())
                .isCompletedExceptionally();
        assertThatThrownBy(() -> sink.accept(letter("null", new RuntimeException())))
                .isInstanceOf(DeadLetterException.class).hasMessageContaining("returned no stage");
        assertThat(sink.count()).isEqualTo(2);

        sink.close();
        assertThatThrownBy(() -> sink.accept(letter("late", new RuntimeException())))
                .isInstanceOf(DeadLetterException.class).hasMessageContaining("closed");
        assertThat(handed).containsExactly("slow", "now", "refused", "refused", "throws", "null");
    }
}
