package io.fluxgate.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class ConnectionHandoverTest {

    @Test
    void aTakerWaitsForTheOfferAndThenOwnsTheConnection() {
        ConnectionHandover<String> handover = new ConnectionHandover<>();
        StepVerifier.create(handover.take())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> assertThat(handover.offer("c1")).isTrue())
                .expectNext("c1")
                .verifyComplete();
        // taken: the giver must not close it
        assertThat(handover.reclaim("c1")).isFalse();
    }

    @Test
    void anOfferNobodyTookIsReclaimedByTheGiverAndALaterTakerGetsNothing() {
        ConnectionHandover<String> handover = new ConnectionHandover<>();
        assertThat(handover.offer("c1")).isTrue();
        assertThat(handover.reclaim("c1")).isTrue();
        StepVerifier.create(handover.take()).verifyComplete();
    }

    @Test
    void aGiverThatEndsWithoutAnOfferReleasesTheTaker() {
        ConnectionHandover<String> handover = new ConnectionHandover<>();
        StepVerifier.create(handover.take())
                .expectSubscription()
                .then(handover::done)
                .verifyComplete();
        // an offer after the end (a retry's connection) still stands for a taker that comes later
        assertThat(handover.offer("c2")).isTrue();
        StepVerifier.create(handover.take()).expectNext("c2").verifyComplete();
    }

    @Test
    void aSecondOfferWhileTheFirstStandsIsRefusedSoNoConnectionIsOverwritten() {
        ConnectionHandover<String> handover = new ConnectionHandover<>();
        assertThat(handover.offer("c1")).isTrue();
        assertThat(handover.offer("c2")).isFalse();
        StepVerifier.create(handover.take()).expectNext("c1").verifyComplete();
        assertThat(handover.reclaim("c2")).isFalse();
    }

    @Test
    void takerAndReclaimingGiverRacingForAnOfferExactlyOneGetsIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                ConnectionHandover<Integer> handover = new ConnectionHandover<>();
                handover.offer(i);
                CyclicBarrier start = new CyclicBarrier(2);
                int conn = i;
                Future<Boolean> taker = pool.submit(() -> {
                    start.await();
                    return handover.take().block(Duration.ofSeconds(5)) != null;
                });
                Future<Boolean> giver = pool.submit(() -> {
                    start.await();
                    return handover.reclaim(conn);
                });
                assertThat(taker.get() ^ giver.get()).as("round %d: exactly one owner", i).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
