package io.fluxgate.kafka.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The Reactive Streams TCK over {@link BatchDrain}: a publisher of n elements drains batches of 0 to 4 numbers
 * (empty ones among them, which are used up without demand) generated lazily, so every rule runs, 3.17 included.
 */
public class BatchDrainTckTest extends PublisherVerification<Long> {

    private final Scheduler scheduler = Schedulers.newSingle("batch-drain-tck", true);

    public BatchDrainTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @AfterClass(alwaysRun = true)
    public void dispose() {
        scheduler.dispose();
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        // batch i holds i % 5 numbers (0 to 4), cut at the n-th number
        Flux<List<Long>> batches = Flux.<List<Long>, long[]>generate(() -> new long[2], (state, sink) -> {
            long next = state[0];
            if (next >= elements) {
                sink.complete();
                return state;
            }
            int size = (int) (state[1]++ % 5);
            List<Long> batch = new ArrayList<>(size);
            for (int i = 0; i < size && next < elements; i++) {
                batch.add(next++);
            }
            state[0] = next;
            sink.next(batch);
            return state;
        });
        return new BatchDrain<List<Long>, Long>(batches, List::iterator, scheduler, 4);
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return new BatchDrain<List<Long>, Long>(Flux.error(new IllegalStateException("tck failure")),
                (List<Long> b) -> (Iterator<Long>) b.iterator(), scheduler, 4);
    }

    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }
}
