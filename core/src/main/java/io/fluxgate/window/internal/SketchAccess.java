package io.fluxgate.window.internal;

import io.fluxgate.window.UniqueSketch;
import java.util.function.Function;
import org.apache.datasketches.hll.HllSketch;

/**
 * The engine's way to wrap the sketch a window counted in a {@link UniqueSketch} without a copy through its
 * serialized image, and without a public {@code UniqueSketch} constructor that would put DataSketches' types in
 * Fluxgate's API: {@code UniqueSketch} installs its private constructor here when its class initializes.
 */
public final class SketchAccess {

    private static volatile Function<HllSketch, UniqueSketch> wrapper;

    private SketchAccess() {
    }

    /**
     * Called once, by {@code UniqueSketch}'s class initializer.
     *
     * @param w the function that wraps a sketch the caller no longer changes
     * @throws IllegalStateException if a wrapper is installed already
     */
    public static synchronized void install(Function<HllSketch, UniqueSketch> w) {
        if (wrapper != null) {
            throw new IllegalStateException("UniqueSketch's wrapper is installed already");
        }
        wrapper = w;
    }

    /** Wraps {@code sketch}, which nothing changes afterwards (the caller hands it over). */
    static UniqueSketch wrap(HllSketch sketch) {
        Function<HllSketch, UniqueSketch> w = wrapper;
        if (w == null) {
            try {
                // initializing UniqueSketch installs the wrapper
                Class.forName(UniqueSketch.class.getName(), true, UniqueSketch.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            w = wrapper;
        }
        return w.apply(sketch);
    }
}
