package io.fluxgate.cursor;

import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Subscribes to the supplied publisher only when the subscriber first requests, so a page fetch starts on demand.
 * Reactor's prefetching operators ({@code concatMap}, {@code flatMap}) request one inner source eagerly, which
 * would fetch a page nobody asked for; {@link Operators.DeferredSubscription} keeps the requests made before the
 * inner subscription exists and hands them over once it does.
 */
final class OnFirstRequest<T> extends Flux<T> {

    private final Supplier<? extends Publisher<? extends T>> supplier;

    OnFirstRequest(Supplier<? extends Publisher<? extends T>> supplier) {
        this.supplier = supplier;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Gate<T> gate = new Gate<>(actual, supplier);
        actual.onSubscribe(gate);
    }

    static final class Gate<T> extends Operators.DeferredSubscription implements CoreSubscriber<T> {
        private final CoreSubscriber<? super T> actual;
        private Supplier<? extends Publisher<? extends T>> supplier;

        Gate(CoreSubscriber<? super T> actual, Supplier<? extends Publisher<? extends T>> supplier) {
            this.actual = actual;
            this.supplier = supplier;
        }

        @Override
        public void request(long n) {
            super.request(n);
            Supplier<? extends Publisher<? extends T>> s;
            synchronized (this) {
                s = supplier;
                supplier = null;
            }
            if (s != null && n > 0 && !isCancelled()) {
                Publisher<? extends T> p;
                try {
                    p = s.get();
                } catch (Throwable e) {
                    actual.onError(Operators.onOperatorError(e, actual.currentContext()));
                    return;
                }
                p.subscribe(this);
            }
        }

        @Override
        public void onSubscribe(Subscription s) {
            set(s);
        }

        @Override
        public void onNext(T t) {
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }
    }
}
