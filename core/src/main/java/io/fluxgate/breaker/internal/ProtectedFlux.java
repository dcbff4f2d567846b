package io.fluxgate.breaker.internal;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CorePublisher;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.annotation.Nullable;
import reactor.util.context.Context;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One permitted asynchronous call. Its subscriber is in flight from the first request (a call subscribed but not
 * yet requested has not begun, and must not look slow because the consumer is slow) until the first of onError,
 * onComplete, cancel (or, for a Mono, the value): that one signal records or releases, exactly once. It joins
 * the in-flight list (for slow in-flight detection) only if it is still running when its subscription returns.
 */
final class ProtectedFlux<R> extends Flux<R> implements Scannable {
    private final Publisher<? extends R> source;
    private final Gate gate;
    private final StateMachine.Phase phase;
    private final long start;
    private final boolean single;

    ProtectedFlux(Publisher<? extends R> source, Gate gate, StateMachine.Phase phase, long start, boolean single) {
        this.source = source;
        this.gate = gate;
        this.phase = phase;
        this.start = start;
        this.single = single;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        CallSubscriber<R> s = new CallSubscriber<>(actual, gate, phase, start, single);
        s.subscribing = true;
        try {
            if (source instanceof Mono || source instanceof Flux || source instanceof CorePublisher) {
                ((CorePublisher<? extends R>) source).subscribe(s);
            } else {
                source.subscribe(s);
            }
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            Operators.error(s, Operators.onOperatorError(e, actual.currentContext()));
        }
        s.subscribing = false;
        s.registerIfStillRunning();
    }

    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return source;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
    }

    static final class CallSubscriber<R> extends InFlightCall implements CoreSubscriber<R>, Subscription, Scannable {
        private static final VarHandle STAGE;
        private static final int SUBSCRIBED = 0;
        private static final int IN_FLIGHT = 1;
        private static final int DONE = 2;
        private static final int STARTING = 3;
        /** Requested while being subscribed; registered only if still running once subscribe() returns. */
        private static final int REQUESTED = 4;

        static {
            try {
                STAGE = MethodHandles.lookup().findVarHandle(CallSubscriber.class, "stage", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final CoreSubscriber<? super R> actual;
        private final Gate gate;
        private final boolean single;
        private Subscription s;
        /** True while the source is being subscribed on the acquiring thread: a request then is "now". */
        boolean subscribing;
        @SuppressWarnings("unused") private volatile int stage;

        CallSubscriber(CoreSubscriber<? super R> actual, Gate gate, StateMachine.Phase phase, long start, boolean single) {
            super(phase, start);
            this.actual = actual;
            this.gate = gate;
            this.single = single;
        }

        private boolean finish() {
            if (stage == DONE) { // a Mono's onComplete after its recorded value: no second atomic
                return false;
            }
            int previous = (int) STAGE.getAndSet(this, DONE);
            if (previous == IN_FLIGHT) {
                gate.exit(this);
            }
            return previous != DONE;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(this.s, s)) {
                this.s = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(R r) {
            if (single && finish()) {
                gate.sm.record(phase, startNanos, gate.sm.now(), null);
            }
            actual.onNext(r);
        }

        @Override
        public void onError(Throwable t) {
            if (finish()) {
                gate.sm.record(phase, startNanos, gate.sm.now(), t);
            }
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            if (finish()) {
                gate.sm.record(phase, startNanos, gate.sm.now(), null);
            }
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            if (stage == SUBSCRIBED) {
                start();
            }
            s.request(n);
        }

        private void start() {
            if (subscribing) {
                // Requested during subscription: the call began when it was permitted. A call that also ends
                // during subscription (a synchronous source) never needs to be in the in-flight list.
                STAGE.compareAndSet(this, SUBSCRIBED, REQUESTED);
            } else if (STAGE.compareAndSet(this, SUBSCRIBED, STARTING)) {
                startNanos = gate.sm.now(); // requested later: the call begins now, not when it was permitted
                register();
            }
        }

        void registerIfStillRunning() {
            if (stage == REQUESTED && STAGE.compareAndSet(this, REQUESTED, STARTING)) {
                register();
            }
        }

        /**
         * Called by the one thread that moved the stage to STARTING. A finish() racing with it either sees
         * IN_FLIGHT and removes the call, or makes the second flip fail and we remove it: the list never keeps
         * a finished call.
         */
        private void register() {
            gate.enter(this);
            if (!STAGE.compareAndSet(this, STARTING, IN_FLIGHT)) {
                gate.exit(this);
            }
        }

        @Override
        public void cancel() {
            if (finish()) {
                // the call is told to stop before its permission can go to another call
                s.cancel();
                gate.sm.cancel(phase, startNanos, gate.sm.now());
            } else {
                s.cancel();
            }
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        @Nullable
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return s;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.TERMINATED || key == Attr.CANCELLED) {
                return stage == DONE;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.SYNC;
            }
            return null;
        }
    }
}
